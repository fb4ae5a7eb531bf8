import Foundation

/// What a monitoring scrape reads from PostgreSQL, in one round trip: pending transfers by age,
/// sessions by state, and the rows the stuck-lock detector needs.
public struct PostgresHealth: Sendable {
    /// The ages, in seconds, pending transfers are counted as older than (0: all of them).
    public static let pendingAgeThresholds = [0, 60, 120, 240, 600, 3600]

    /// Pending channel transfers older than each of ``pendingAgeThresholds``.
    public var pendingChannelTransfers: [Int: Int]
    /// Pending withdrawals older than each of ``pendingAgeThresholds``.
    public var pendingWithdrawals: [Int: Int]
    /// Client sessions of this database by `pg_stat_activity.state` (`active`, `idle`,
    /// `idle in transaction` …; `unknown` where the login may not see another login's state:
    /// grant it `pg_monitor`). The reading session itself is left out.
    public var sessionsByState: [String: Int]
    /// Client sessions of this database waiting for a lock.
    public var sessionsWaitingForLocks: Int
    /// Blocked and blocking sessions (as ``DashboardQueries/postgresLockWaits()``).
    public var lockWaits: [PostgresLockWait]
    /// Sessions with a transaction open (as ``DashboardQueries/openTransactions()``).
    public var openTransactions: [OpenTransaction]

    /// Reads everything on one pooled connection in one pipelined round trip.
    ///
    /// The pending counts read only the partial indexes of pending rows (one scan per table,
    /// every threshold a `FILTER`), so their cost follows the pending rows, not the tables.
    public static func read(from pool: PostgresPool) async throws -> PostgresHealth {
        let results = try await pool.withConnection { connection in
            try await withTaskCancellationHandler {
                try await connection.pipeline([pendingQuery, sessionsQuery, PostgresLockWait.query, OpenTransaction.query])
            } onCancel: {
                connection.cancelRunningStatement()
            }
        }
        var channel: [Int: Int] = [:]
        var withdrawals: [Int: Int] = [:]
        let pending = results[0].rows[0]
        for (offset, threshold) in pendingAgeThresholds.enumerated() {
            channel[threshold] = try pending.decode(Int.self, at: offset)
            withdrawals[threshold] = try pending.decode(Int.self, at: pendingAgeThresholds.count + offset)
        }
        var states: [String: Int] = [:]
        var waiting = 0
        for row in results[1].rows {
            states[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1)
            waiting += try row.decode(Int.self, at: 2)
        }
        return PostgresHealth(pendingChannelTransfers: channel, pendingWithdrawals: withdrawals,
                              sessionsByState: states, sessionsWaitingForLocks: waiting,
                              lockWaits: try results[2].rows.map(PostgresLockWait.init(row:)),
                              openTransactions: try results[3].rows.map(OpenTransaction.init(row:)))
    }

    /// One row: the channel transfers' counts per threshold, then the withdrawals'.
    static let pendingQuery: PostgresQuery = {
        func counts(_ table: String) -> String {
            let filters = pendingAgeThresholds.map { "count(*) FILTER (WHERE created_at <= now() - interval '\($0) seconds')" }
            return "SELECT \(filters.joined(separator: ", ")) FROM \(table) WHERE state = 'pending'"
        }
        return PostgresQuery(unsafeSQL: "SELECT * FROM (\(counts("channel_transfers"))) c, (\(counts("withdrawals"))) w")
    }()

    static let sessionsQuery: PostgresQuery = """
        SELECT COALESCE(state, 'unknown'), count(*)::bigint, count(*) FILTER (WHERE wait_event_type = 'Lock')::bigint
        FROM pg_stat_activity
        WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
        GROUP BY 1
        """
}
