import Foundation
import MarketCore
import Views

/// PostgreSQL lock waits as a tree: each blocker, then the sessions it blocks beneath it. A session
/// blocked by several sessions appears under each of them.
enum LockWaitsPane {
    static let columns = [
        TableColumn("PID (blocker → blocked)", width: 24),
        TableColumn("State", width: 12, dropPriority: 2),
        TableColumn("Waiting", width: 8),
        TableColumn("Xact age", width: 8, dropPriority: 1),
        TableColumn("Query", width: 20, flexible: true),
    ]

    static func rows(_ sessions: [PostgresLockWait], now: Date, boxes: BoxCharacters, thresholds: Thresholds) -> [TableRow] {
        let byPID = Dictionary(sessions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var blocked: [Int32: [Int32]] = [:]
        for session in sessions {
            for blocker in session.blockedBy { blocked[blocker, default: []].append(session.id) }
        }
        let roots = sessions.filter { session in session.blockedBy.allSatisfy { byPID[$0] == nil } && blocked[session.id] != nil }
            .map(\.id).sorted()
        var rows: [TableRow] = []
        func visit(_ pid: Int32, prefix: String, connector: String, path: Set<Int32>) {
            guard let session = byPID[pid] else { return }
            rows.append(row(session, label: prefix + connector + String(pid), path: rows.count, now: now, thresholds: thresholds))
            let children = (blocked[pid] ?? []).sorted()
            guard !path.contains(pid) else { return }
            let childPrefix = prefix + (connector == boxes.treeBranch ? boxes.treePipe : connector.isEmpty ? "" : "   ")
            for (index, child) in children.enumerated() {
                visit(child, prefix: childPrefix, connector: index == children.count - 1 ? boxes.treeLast : boxes.treeBranch,
                      path: path.union([pid]))
            }
        }
        for root in roots { visit(root, prefix: "", connector: "", path: []) }
        // Sessions waiting in a cycle with no outside root (a deadlock about to be broken).
        let shown = Set(rows.compactMap { Int32($0.id.split(separator: "#").first ?? "") })
        for session in sessions where !shown.contains(session.id) && !session.blockedBy.isEmpty {
            visit(session.id, prefix: "", connector: "", path: [])
        }
        return rows
    }

    private static func row(_ session: PostgresLockWait, label: String, path: Int, now: Date, thresholds: Thresholds) -> TableRow {
        let waiting = session.blockedBy.isEmpty ? nil : session.waitingSince
        let idleInTransaction = session.state.hasPrefix("idle in transaction")
        return TableRow(id: "\(session.id)#\(path)", cells: [
            .text(label, role: session.blockedBy.isEmpty ? .warning : nil),
            .text(session.state, role: idleInTransaction ? .critical : nil),
            waiting.map { TableCell(.age($0)) } ?? TableCell(.empty),
            session.transactionStart.map { start in
                let age = now.timeIntervalSince(start)
                return TableCell(.age(start), role: age > 3 * thresholds.transactionAge ? .critical
                                 : age > thresholds.transactionAge ? .warning : nil)
            } ?? TableCell(.empty),
            .text(session.query.replacingOccurrences(of: "\n", with: " ")),
        ])
    }
}
