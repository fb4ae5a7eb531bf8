import Synchronization

/// The exact row counts of the dashboard's PostgreSQL sections.
struct TableCounts: Sendable, Equatable {
    var liveAuctions: Int
    var pendingProposals: Int
    var pendingTransfers: Int
    var pendingWithdrawals: Int
    /// Transfers and withdrawals the reconciler settled in the last minute.
    var settledAutomatically: Int

    /// Each count is an index-only scan of the section's partial index (`… WHERE state = …`); the
    /// reconciler's settlements are the last minute of the audit's `created_at` index.
    static let query: PostgresQuery = """
        SELECT (SELECT count(*) FROM auctions WHERE state = 'active'),
               (SELECT count(*) FROM trade_proposals WHERE state = 'pending'),
               (SELECT count(*) FROM channel_transfers WHERE state = 'pending'),
               (SELECT count(*) FROM withdrawals WHERE state = 'pending'),
               (SELECT count(*) FROM operator_actions WHERE created_at > now() - interval '1 minute' AND role = 'reconciler'
                AND outcome = 'done')
        """

    init(row: PostgresRow) throws {
        liveAuctions = try row.decode(at: 0)
        pendingProposals = try row.decode(at: 1)
        pendingTransfers = try row.decode(at: 2)
        pendingWithdrawals = try row.decode(at: 3)
        settledAutomatically = try row.decode(at: 4)
    }
}

/// Table counts kept for up to `maxAge` and recounted in the background when older.
///
/// Counting a million active auctions reads a million index entries (tens of milliseconds), too
/// slow for a screen refreshed every second. A call that finds the counts stale returns them as
/// they are and starts one recount, which the following calls pick up; only a call that finds no
/// counts at all waits for one.
final class TableCountsCache: Sendable {
    private struct Counted {
        var last: (counts: TableCounts, at: ContinuousClock.Instant)?
        var recount: Task<TableCounts, any Error>?
    }

    let maxAge: Duration
    private let counted = Mutex(Counted())

    init(maxAge: Duration) {
        self.maxAge = maxAge
    }

    func counts(_ count: @escaping @Sendable () async throws -> TableCounts) async throws -> TableCounts {
        let (cached, recount) = counted.withLock { counted -> (TableCounts?, Task<TableCounts, any Error>?) in
            if let last = counted.last, last.at.duration(to: .now) < maxAge { return (last.counts, nil) }
            if counted.recount == nil {
                counted.recount = Task { try await self.recount(count) }
            }
            return (counted.last?.counts, counted.recount)
        }
        if let cached { return cached }
        return try await recount!.value
    }

    private func recount(_ count: @Sendable () async throws -> TableCounts) async throws -> TableCounts {
        do {
            let counts = try await count()
            counted.withLock { $0 = Counted(last: (counts, .now), recount: nil) }
            return counts
        } catch {
            counted.withLock { $0.recount = nil }
            throw error
        }
    }
}
