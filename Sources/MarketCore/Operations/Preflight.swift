import Foundation

/// What stands in the way of an action's plan before it runs: who holds its Redis lock, and for
/// each row of the plan whether it can be locked now and, when not, which session holds it — so
/// the console names the holder instead of hanging.
public struct PreflightReport: Sendable, Equatable {
    /// One row of the plan, probed.
    public struct RowProbe: Sendable, Equatable {
        /// The plan's row.
        public var row: ActionPlan.Row
        /// Whether the row could be locked in the plan's mode (`NOWAIT`) just now.
        public var free: Bool
        /// The session holding it when it could not; nil when free (or when no session could be named).
        public var holder: RowHolder?
    }

    /// The plan's lock.
    public var lockKey: String
    /// The Redis lock's holder; nil when the lock is free.
    public var lockHolder: HeldLock?
    /// The plan's rows in its order.
    public var rows: [RowProbe]

    /// True when every row can be locked now.
    public var rowsFree: Bool { rows.allSatisfy(\.free) }
}

/// A PostgreSQL session holding a row an action needs.
public struct RowHolder: Sendable, Equatable {
    /// The backend's pid.
    public var pid: Int32
    /// The login it authenticated as.
    public var login: String
    /// Its `application_name` (a market process names itself `market-console host:pid`).
    public var application: String
    /// `active`, `idle in transaction`…
    public var state: String
    /// When its transaction began.
    public var transactionStart: Date?
    /// The first 200 characters of its current or last statement.
    public var query: String
}

extension Market {
    /// Probes exactly `plan`'s lock and rows without taking them: the Redis registry for its
    /// lock, then each row in the plan's lock mode `NOWAIT` (the database's `mc_probe_rows`,
    /// which operator logins may call though they may not lock rows, rolled back at once), naming
    /// the session that holds each row in the way. Changes nothing.
    ///
    /// - Throws: ``MarketError`` `.forbidden` for a viewer's login, which takes no action.
    public func preflight(_ plan: ActionPlan) async throws -> PreflightReport {
        async let holder = services.locks.heldLocks(PageRequest(sort: "key", filter: plan.lockKey, limit: 20))
        let rows = plan.rows
        let probed: [PostgresRow]
        do {
            probed = try await services.pool.query("""
                SELECT free, holder_pid, holder_login, holder_application, holder_state, holder_since, holder_query
                FROM mc_probe_rows(\(UnitOfWork.textArray(rows.map(\.table)))::text[], \(UnitOfWork.bigintArray(rows.map(\.id)))::bigint[],
                                   \(UnitOfWork.textArray(rows.map(\.lockMode)))::text[])
                """).rows
        } catch let error as PostgresError {
            throw MarketError(operatorFunctionError: error) ?? error
        }
        let probes = try zip(rows, probed).map { row, result in
            let holder = try result.decode(Int32?.self, at: 1).map { pid in
                RowHolder(pid: pid, login: try result.decode(String?.self, at: 2) ?? "", application: try result.decode(String?.self, at: 3) ?? "",
                          state: try result.decode(String?.self, at: 4) ?? "", transactionStart: try result.decode(Date?.self, at: 5),
                          query: try result.decode(String?.self, at: 6) ?? "")
            }
            return PreflightReport.RowProbe(row: row, free: try result.decode(Bool.self, at: 0), holder: holder)
        }
        return PreflightReport(lockKey: plan.lockKey, lockHolder: try await holder.rows.first { $0.key == plan.lockKey }, rows: probes)
    }
}
