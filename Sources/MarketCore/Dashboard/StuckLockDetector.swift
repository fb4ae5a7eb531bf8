import Foundation

/// Something in the lock layer that needs a person: a holder that stopped extending its lease, a
/// lease about to run out while its transaction is still open, a blocker idle in its transaction.
public struct LockAlert: Sendable, Equatable, Codable, Identifiable {
    public enum Kind: String, Sendable, Codable {
        /// The holder has missed its lease renewals (it renews at a third of the lease).
        case leaseNotExtended = "lease_not_extended"
        /// The lease is about to run out and the holder's PostgreSQL transaction is still open.
        case leaseEndingWithOpenTransaction = "lease_ending_open_transaction"
        /// A session idle in its transaction blocks others.
        case idleBlocker = "idle_in_transaction_blocker"
    }

    public enum Severity: String, Sendable, Codable {
        case warning, critical
    }

    /// `kind:subject`.
    public var id: String { "\(kind.rawValue):\(subject)" }
    public var kind: Kind
    public var severity: Severity
    /// The lock key, or `pid N` for a PostgreSQL session.
    public var subject: String
    /// A sentence for the operator.
    public var message: String

    public init(kind: Kind, severity: Severity, subject: String, message: String) {
        self.kind = kind
        self.severity = severity
        self.subject = subject
        self.message = message
    }
}

/// Finds stuck locks in one refresh's rows: pure, so the console, the snapshot and tests share it.
public enum StuckLockDetector {
    /// A lease with less than this left counts as ending.
    public static let endingMilliseconds: Int64 = 2000
    /// A blocker idle in its transaction for this long is flagged.
    public static let idleBlockerSeconds: TimeInterval = 5

    public static func alerts(locks: [HeldLock], lockWaits: [PostgresLockWait], openTransactions: [OpenTransaction],
                              now: Date) -> [LockAlert] {
        var alerts: [LockAlert] = []
        for lock in locks {
            let holder = "\(lock.host):\(lock.pid)"
            let transactions = openTransactions.filter { $0.application.hasSuffix(" " + holder) }
            let heldSeconds = Int(now.timeIntervalSince(Date(timeIntervalSince1970: Double(lock.acquiredAtMilliseconds) / 1000)))
            // A frozen holder's transaction sits idle: name that one when the process has several.
            let open = transactions.first { $0.state.hasPrefix("idle in transaction") } ?? transactions.first
            if lock.ttlLeftMilliseconds < endingMilliseconds, let transaction = open {
                alerts.append(LockAlert(
                    kind: .leaseEndingWithOpenTransaction, severity: .critical, subject: lock.key,
                    message: "\(lock.key): lease ends in \(lock.ttlLeftMilliseconds) ms while \(holder)'s transaction "
                        + "(pid \(transaction.id), \(transaction.state)) is still open after \(Int(now.timeIntervalSince(transaction.transactionStart))) s"))
            } else if lock.ttlLeftMilliseconds * 3 < lock.leaseMilliseconds {
                alerts.append(LockAlert(
                    kind: .leaseNotExtended, severity: lock.ttlLeftMilliseconds < endingMilliseconds ? .critical : .warning,
                    subject: lock.key,
                    message: "\(lock.key): \(holder) (\(lock.operation)) stopped extending its lease: "
                        + "\(lock.ttlLeftMilliseconds) ms of \(lock.leaseMilliseconds) left, held \(heldSeconds) s"))
            }
        }
        let blocked = Dictionary(grouping: lockWaits.flatMap { wait in wait.blockedBy.map { ($0, wait.id) } }, by: \.0)
        for session in lockWaits where session.state.hasPrefix("idle in transaction") {
            guard let victims = blocked[session.id], let start = session.transactionStart else { continue }
            let idleSince = openTransactions.first { $0.id == session.id }?.stateChange ?? start
            guard now.timeIntervalSince(idleSince) >= idleBlockerSeconds else { continue }
            alerts.append(LockAlert(
                kind: .idleBlocker, severity: .critical, subject: "pid \(session.id)",
                message: "pid \(session.id) (\(session.application)) sits idle in its transaction for "
                    + "\(Int(now.timeIntervalSince(idleSince))) s and blocks \(victims.count) session(s)"))
        }
        return alerts.sorted { ($0.severity == .critical ? 0 : 1, $0.subject) < ($1.severity == .critical ? 0 : 1, $1.subject) }
    }
}
