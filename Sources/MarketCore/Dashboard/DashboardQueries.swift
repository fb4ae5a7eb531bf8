/// The operator console's read models: one page of each section, counts, and the overview.
///
/// ```swift
/// let queries = DashboardQueries(services: services)
/// let overview = try await queries.overview(rowsPerSection: 10)      // every section's first rows
/// let counts = try await queries.counts()                            // section sizes
/// var request = PageRequest(sort: "current_bid", descending: true, filter: "pepe", limit: 30)
/// let page = try await queries.liveAuctions(request)
/// request.after = page.next                                           // and so on, while next != nil
/// ```
/// Every list is a keyset page (see ``PageRequest``): only the rows asked for are read, along an
/// index on the default sorts. Pages and table counts are read through `services.readPool` when
/// one is configured (a standby; a read a recovery conflict cancelled is run once more), else
/// `services.pool`; what describes the primary's own sessions (lock waits, open transactions)
/// always comes from `services.pool`. Redis is read under the configured namespace. Copies share one counts cache and one cache of settled
/// statistics seconds (see ``StatsReader``), so a refresh reads only the newest seconds.
public struct DashboardQueries: Sendable {
    /// How old the table counts of ``counts()`` may be.
    public static let countsMaxAge: Duration = .seconds(5)

    private let services: MarketServices
    private let tableCounts = TableCountsCache(maxAge: countsMaxAge)
    private let statsSeconds = StatsSecondsCache()

    /// Reads through `services`' pool (its schema) and Redis (its namespace).
    public init(services: MarketServices) {
        self.services = services
    }

    /// Active auctions; sorts `ends_at` (the default), `id`, `current_bid` (an auction without bids
    /// counts as 0), `bids`, `seller`, `gift`. The filter matches the gift (`Plush Pepe #12`), the
    /// seller's and the top bidder's names. Only `ends_at` and `id` are read along an index: the
    /// others sort every active auction (an index on the columns each bid writes would slow bids).
    public func liveAuctions(_ request: PageRequest) async throws -> Page<LiveAuction> {
        try await read { try await LiveAuction.source.fetch(request, on: $0, decode: LiveAuction.init(row:)) }
    }

    /// The newest `limit` (1...500) bids of an auction, newest first.
    public func auctionBids(auctionID: Int64, limit: Int = 50) async throws -> [AuctionBid] {
        let limit = min(max(limit, 1), PageRequest.maxLimit)
        return try await read { try await $0.query(AuctionBid.newest(auctionID: auctionID, limit: limit)).rows.map(AuctionBid.init(row:)) }
    }

    /// Pending trade proposals with the gifts on both sides; sorts `created_at` (the default),
    /// `id`, `trade_id`, `owner`, `proposer`. The filter matches the owner's and proposer's names and the gifts.
    public func pendingProposals(_ request: PageRequest) async throws -> Page<PendingProposal> {
        try await read { try await PendingProposal.source.fetch(request, on: $0, decode: PendingProposal.init(row:)) }
    }

    /// Pending channel transfers and pending withdrawals in one list; sorts `created_at` (the
    /// default), `updated_at`, `amount`, `attempts`, `id` (kind, then id). The filter matches the
    /// channel title or destination, the user, the id (`withdrawal:12`) and the last error.
    public func pendingTransfers(_ request: PageRequest) async throws -> Page<PendingTransfer> {
        try await read { try await PendingTransfer.source.fetch(request, on: $0, decode: PendingTransfer.init(row:)) }
    }

    /// Locks held now; sorts `acquired_at` (the default) and `key`; the filter matches key,
    /// operation and host. Reads only the page (see ``LockService/heldLocks(_:)``); empty without Redis.
    public func heldLocks(_ request: PageRequest) async throws -> Page<HeldLock> {
        try await services.locks.heldLocks(request)
    }

    /// Every session of this database that waits for a lock or holds one another session waits
    /// for, in pid order; this connection's own session is left out.
    public func postgresLockWaits() async throws -> [PostgresLockWait] {
        try await services.pool.query(PostgresLockWait.query).rows.map(PostgresLockWait.init(row:))
    }

    /// Sessions with a transaction open, oldest first (at most 200): matched against lock holders
    /// by ``StuckLockDetector``.
    public func openTransactions() async throws -> [OpenTransaction] {
        try await services.pool.query(OpenTransaction.query).rows.map(OpenTransaction.init(row:))
    }

    /// Lock contention per key prefix over the last `seconds` (1...3600), summed over every
    /// reporting process; empty without Redis.
    public func lockContention(seconds: Int) async throws -> [LockPrefixStats] {
        guard let reader = statsReader else { return [] }
        return try await reader.locks(seconds: Self.window(seconds))
    }

    /// Unit of Work outcomes per operation over the last `seconds` (1...3600), summed over every
    /// reporting process; empty without Redis.
    public func unitOfWorkRates(seconds: Int) async throws -> [UnitOfWorkStats] {
        guard let reader = statsReader else { return [] }
        return try await reader.unitOfWork(seconds: Self.window(seconds))
    }

    /// The operator audit log; newest first by default (`at` descending; `sort: ""` or `"at"`
    /// with `descending: true`), also sorts `id`, `operator`, `action`. The filter matches every
    /// text column.
    public func auditLog(_ request: PageRequest) async throws -> Page<AuditEntry> {
        try await read { try await AuditEntry.source.fetch(request, on: $0, decode: AuditEntry.init(row:)) }
    }

    /// The first `rowsPerSection` (1...500) rows of every section in their default order, with
    /// the statistics of the last `statsSeconds`.
    ///
    /// The four PostgreSQL reads go out as one pipeline on one connection (one round trip) while
    /// the held locks and statistics are read from Redis at the same time. When Redis cannot be
    /// reached, its sections come back empty with ``Overview/redisProblem`` saying why, so the
    /// PostgreSQL sections (lock waits among them) stay visible through a Redis outage.
    public func overview(rowsPerSection: Int, statsSeconds: Int = 60) async throws -> Overview {
        let request = PageRequest(sort: "", limit: rowsPerSection)
        async let redisSections = redisSections(firstLocks: request, statsSeconds: statsSeconds)
        let auctions = try LiveAuction.source.statement(request)
        let proposals = try PendingProposal.source.statement(request)
        let transfers = try PendingTransfer.source.statement(request)
        let results: [PostgresResult]
        if services.readPool == nil {
            results = try await pipeline([auctions.query, proposals.query, transfers.query, PostgresLockWait.query], on: services.pool)
        } else {
            // The pages from the standby, the primary's lock waits from the primary, at the same time.
            async let waits = services.pool.query(PostgresLockWait.query)
            let pages = try await read { try await pipeline([auctions.query, proposals.query, transfers.query], on: $0) }
            results = pages + [try await waits]
        }
        let redis = try await redisSections
        return Overview(
            auctions: try auctions.page(results[0], decode: LiveAuction.init(row:)).rows,
            proposals: try proposals.page(results[1], decode: PendingProposal.init(row:)).rows,
            transfers: try transfers.page(results[2], decode: PendingTransfer.init(row:)).rows,
            locks: redis.value.locks, lockWaits: try results[3].rows.map(PostgresLockWait.init(row:)),
            contention: redis.value.contention, rates: redis.value.rates, lockMode: services.locks.mode,
            redisProblem: redis.problem)
    }

    /// The size of every section.
    ///
    /// `liveAuctions`, `pendingProposals`, `pendingTransfers` and `pendingWithdrawals` are exact
    /// counts at most ``countsMaxAge`` old: a call that finds them older returns them and starts a
    /// recount in the background (only the first call waits for a count), because counting a
    /// million active auctions takes tens of milliseconds. `heldLocks` (HLEN of the registry) and
    /// `lockWaits` are read live. When Redis cannot be reached, `heldLocks` is 0 and
    /// ``DashboardCounts/redisProblem`` says why.
    public func counts() async throws -> DashboardCounts {
        let pool = services.pool
        async let held = redisSection(0) { try await services.locks.heldLockCount() }
        async let waits = pool.query("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
              AND cardinality(pg_blocking_pids(pid)) > 0
            """)
        let tables = try await tableCounts.counts {
            try await read { try TableCounts(row: try await $0.query(TableCounts.query).rows[0]) }
        }
        let lockWaits = try await waits.rows[0].decode(Int.self, at: 0)
        let heldLocks = try await held
        return DashboardCounts(liveAuctions: tables.liveAuctions, pendingProposals: tables.pendingProposals,
                               pendingTransfers: tables.pendingTransfers, pendingWithdrawals: tables.pendingWithdrawals,
                               heldLocks: heldLocks.value, lockWaits: lockWaits, settledAutomatically: tables.settledAutomatically,
                               redisProblem: heldLocks.problem)
    }

    /// The read pool's replay lag (see ``ReadReplicaLag``); nil when no read pool is configured.
    public func readReplicaLag() async throws -> ReadReplicaLag? {
        guard services.readPool != nil else { return nil }
        return try await read { try ReadReplicaLag(row: try await $0.query(ReadReplicaLag.query).rows[0]) }
    }

    // MARK: - Helpers

    /// Runs `body` on the read pool (once more after a recovery conflict), or on the primary's
    /// pool when there is no read pool. A PostgreSQL error of the read pool comes as a
    /// ``ReadPoolError``, so the caller can tell the standby's failure from the primary's.
    private func read<T>(_ body: (PostgresPool) async throws -> T) async throws -> T {
        guard let readPool = services.readPool else { return try await body(services.pool) }
        do {
            return try await RecoveryConflict.retryingOnce { try await body(readPool) }
        } catch let error as PostgresError {
            throw ReadPoolError(underlying: error)
        }
    }

    private var statsReader: StatsReader? {
        services.redis.map { StatsReader(redis: $0, namespace: $0.configuration.namespace, cache: statsSeconds) }
    }

    private static func window(_ seconds: Int) -> Int {
        min(max(seconds, 1), StatsKeys.retentionSeconds)
    }

    /// Runs `queries` in one round trip on one connection of `pool`.
    private func pipeline(_ queries: [PostgresQuery], on pool: PostgresPool) async throws -> [PostgresResult] {
        try await pool.withConnection { connection in
            try await withTaskCancellationHandler {
                try await connection.pipeline(queries)
            } onCancel: {
                connection.cancelRunningStatement()
            }
        }
    }

    private struct RedisSections: Sendable {
        var locks: [HeldLock] = []
        var contention: [LockPrefixStats] = []
        var rates: [UnitOfWorkStats] = []
    }

    private func redisSections(firstLocks request: PageRequest,
                               statsSeconds: Int) async throws -> (value: RedisSections, problem: String?) {
        try await redisSection(RedisSections()) {
            async let locks = heldLocks(request)
            async let contention = lockContention(seconds: statsSeconds)
            async let rates = unitOfWorkRates(seconds: statsSeconds)
            return RedisSections(locks: try await locks.rows, contention: try await contention, rates: try await rates)
        }
    }

    /// `body`'s value, or `empty` and the reason when Redis cannot be reached; other errors are thrown.
    private func redisSection<T: Sendable>(_ empty: T, _ body: () async throws -> T) async throws -> (value: T, problem: String?) {
        do {
            return (try await body(), nil)
        } catch let error as RedisError where error.isConnectionFailure {
            return (empty, error.description)
        }
    }
}
