import Foundation

/// What stands in the way of an operator action before it runs: who holds its Redis lock, and
/// whether its rows can be locked now — so the console shows the holder instead of hanging.
public struct PreflightReport: Sendable, Equatable {
    public var lockKey: String
    /// The Redis lock's holder; nil when the lock is free.
    public var lockHolder: HeldLock?
    /// Whether every row could be locked `FOR UPDATE NOWAIT` just now.
    public var rowsFree: Bool
    /// When not: the sessions holding row locks on those tables, oldest transaction first.
    public var rowHolders: [OpenTransaction]
}

/// A row an action locks, by table and id.
public struct PreflightRow: Sendable, Equatable {
    /// The tables an operator action locks rows of.
    public enum Table: String, Sendable, CaseIterable {
        case auctions, tradeProposals = "trade_proposals", channelTransfers = "channel_transfers", withdrawals
        case operatorApprovals = "operator_approvals"
    }

    public var table: Table
    public var id: Int64

    public init(_ table: Table, _ id: Int64) {
        self.table = table
        self.id = id
    }
}

extension Market {
    /// Probes the lock and the rows of an action without taking them: the Redis registry for
    /// `lockKey`, then `SELECT … FOR UPDATE NOWAIT` on each row (the database's `mc_probe_row`,
    /// which operator logins may call though they may not lock rows themselves), rolled back at
    /// once. Changes nothing.
    public func preflight(lockKey: String, rows: [PreflightRow]) async throws -> PreflightReport {
        async let holder = services.locks.heldLocks(PageRequest(sort: "key", filter: lockKey, limit: 20))
        var rowsFree = true
        for row in rows where rowsFree {
            rowsFree = try await services.pool.query("SELECT mc_probe_row(\(row.table.rawValue), \(row.id))").rows[0].decode(Bool.self, at: 0)
        }
        var holders: [OpenTransaction] = []
        if !rowsFree {
            let tables = rows.map(\.table.rawValue)
            holders = try await services.pool.query("""
                SELECT DISTINCT a.pid, COALESCE(a.application_name, ''), COALESCE(a.state, ''), a.xact_start, a.state_change,
                       left(COALESCE(a.query, ''), 200)
                FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.granted AND l.relation = ANY (SELECT to_regclass(t)::oid FROM unnest(\(UnitOfWork.textArray(tables))::text[]) AS t)
                  AND l.mode IN ('RowShareLock', 'RowExclusiveLock') AND a.pid <> pg_backend_pid() AND a.xact_start IS NOT NULL
                ORDER BY a.xact_start
                """).rows.map(OpenTransaction.init(row:))
        }
        return PreflightReport(lockKey: lockKey, lockHolder: try await holder.rows.first { $0.key == lockKey },
                               rowsFree: rowsFree, rowHolders: holders)
    }
}
