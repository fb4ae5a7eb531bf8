import Foundation
import MarketCore
import Views

/// Redis locks held right now, from the lock registry.
enum HeldLocksPane {
    static let columns = [
        TableColumn("Key", sortKey: "key", width: 20, flexible: true),
        TableColumn("Holder", width: 18, dropPriority: 2),
        TableColumn("Operation", width: 16, dropPriority: 3),
        TableColumn("Fence", width: 7, dropPriority: 1),
        TableColumn("Age", sortKey: "acquired_at", width: 7),
        TableColumn("TTL left", width: 8),
        TableColumn("Waiters", width: 7),
    ]

    static func row(_ lock: HeldLock, now: Date, thresholds: Thresholds, previous: HeldLock? = nil) -> TableRow {
        let acquired = Date(timeIntervalSince1970: Double(lock.acquiredAtMilliseconds) / 1000)
        let age = now.timeIntervalSince(acquired)
        let ttlRole: StyleRole? = lock.ttlLeftMilliseconds < 1000 ? .critical
            : Double(lock.ttlLeftMilliseconds) < Double(lock.leaseMilliseconds) * thresholds.ttlShare ? .warning : nil
        return TableRow(id: lock.key, cells: [
            .text(lock.key), .text("\(lock.host):\(lock.pid)"), .text(lock.operation), .number(String(lock.fence)),
            TableCell(.age(acquired), role: age > 3 * thresholds.lockAge ? .critical : age > thresholds.lockAge ? .warning : nil),
            TableCell(.milliseconds(Double(lock.ttlLeftMilliseconds)), role: ttlRole),
            .number(String(lock.waiters) + Trend.arrow(from: previous.map { Int64($0.waiters) }, to: Int64(lock.waiters)),
                    role: lock.waiters > 0 ? .warning : nil),
        ])
    }

    static func detail(_ lock: HeldLock) -> Detail {
        let acquired = Date(timeIntervalSince1970: Double(lock.acquiredAtMilliseconds) / 1000)
        return Detail(title: "Lock \(lock.key)", fields: [
            ("Key", .text(lock.key)),
            ("Holder host", .text(lock.host)),
            ("Holder pid", .text(String(lock.pid))),
            ("Operation", .text(lock.operation)),
            ("Fence", .text(String(lock.fence))),
            ("Held for", TableCell(.age(acquired))),
            ("Lease", .text("\(lock.leaseMilliseconds) ms")),
            ("TTL left", .text("\(lock.ttlLeftMilliseconds) ms")),
            ("Waiters", .text(String(lock.waiters))),
        ])
    }
}
