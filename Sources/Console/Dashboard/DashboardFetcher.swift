import Foundation
import MarketCore
import Synchronization

/// Runs one refresh: the reads a ``FetchPlan`` asks for, concurrently, each on its own connection.
///
/// Never throws. A read that fails leaves its source nil (the model keeps the last rows) and marks
/// the server down when the failure is the server's (connection refused or lost), or records the
/// problem otherwise; the next refresh tries again, so a server that comes back shows by itself.
struct DashboardFetcher: Sendable {
    let queries: DashboardQueries
    let locks: LockService
    let redisConfigured: Bool
    let readPoolConfigured: Bool
    /// Whether each refresh reads the login's role again (the console does; a snapshot does not).
    let readsOperatorRole: Bool
    let market: Market

    init(market: Market, readsOperatorRole: Bool) {
        queries = DashboardQueries(services: market.services)
        locks = market.services.locks
        redisConfigured = market.services.redis != nil
        readPoolConfigured = market.services.readPool != nil
        self.readsOperatorRole = readsOperatorRole
        self.market = market
    }

    func fetch(_ plan: FetchPlan) async -> FetchResult {
        let started = ContinuousClock.now
        var result = FetchResult(plan: plan, lockMode: locks.mode, fetchedAt: Date())
        result.redisMaster = market.services.redis?.configuration.sentinel?.currentMaster
        result.lastRedisOutage = locks.lastOutage
        let outcome = Outcome()
        @Sendable func page(_ source: PaneSource) -> PageRequest? { plan.pages[source] }
        let isOverview = plan.view == .overview
        // The overview reads every section at once (one PostgreSQL round trip beside the Redis reads).
        async let overview = outcome.read {
            isOverview ? try await queries.overview(rowsPerSection: plan.overviewRows, statsSeconds: plan.rateWindowSeconds) : nil
        }
        let wants = isOverview ? [] : Set(plan.view.panes)
        async let auctions = outcome.read { try await page(.auctions).asyncMap(queries.liveAuctions) }
        async let proposals = outcome.read { try await page(.proposals).asyncMap(queries.pendingProposals) }
        async let transfers = outcome.read { try await page(.transfers).asyncMap(queries.pendingTransfers) }
        async let audit = outcome.read { try await page(.audit).asyncMap(queries.auditLog) }
        async let heldLocks = outcome.read { try await page(.heldLocks).asyncMap(queries.heldLocks) }
        async let lockWaits = outcome.read { wants.contains(.lockWaits) ? try await queries.postgresLockWaits() : nil }
        async let contention = outcome.read {
            wants.contains(.contention) ? try await queries.lockContention(seconds: plan.rateWindowSeconds) : nil
        }
        async let rates = outcome.read {
            wants.contains(.rates) ? try await queries.unitOfWorkRates(seconds: plan.rateWindowSeconds) : nil
        }
        async let alerts = outcome.read { wants.contains(.alerts) ? try await stuckLocks() : nil }
        async let approvals = outcome.read { wants.contains(.approvals) ? try await market.pendingApprovals() : nil }
        async let bids = outcome.read {
            try await plan.bidsOfAuction.asyncMap { try await queries.auctionBids(auctionID: $0) }
        }
        async let counts = outcome.read { try await queries.counts() }
        async let readLag = outcome.read { try await queries.readReplicaLag() }
        async let role = outcome.read { readsOperatorRole ? try await market.identity().role : nil }
        result.auctions = await auctions ?? nil
        result.proposals = await proposals ?? nil
        result.transfers = await transfers ?? nil
        result.audit = await audit ?? nil
        result.heldLocks = await heldLocks ?? nil
        result.lockWaits = await lockWaits ?? nil
        result.contention = await contention ?? nil
        result.rates = await rates ?? nil
        result.bids = await bids ?? nil
        result.alerts = await alerts ?? nil
        result.approvals = await approvals ?? nil
        if let overview = await overview ?? nil {
            result.auctions = Page(rows: overview.auctions, next: nil)
            result.proposals = Page(rows: overview.proposals, next: nil)
            result.transfers = Page(rows: overview.transfers, next: nil)
            if let problem = overview.redisProblem {
                outcome.markDown(.redis, problem)
            } else {
                result.heldLocks = Page(rows: overview.locks, next: nil)
                result.rates = overview.rates
            }
        }
        result.counts = await counts
        result.readLag = await readLag ?? nil
        result.countRowsOfCompletePages()
        result.operatorRole = await role ?? nil
        result.postgres = outcome.health(.postgres, configured: true)
        result.readPool = outcome.health(.readPool, configured: readPoolConfigured)
        result.redis = outcome.health(.redis, configured: redisConfigured)
        result.problem = outcome.problem
        if case .down(let reason) = result.redis {
            // The locks would find out on the next operation; the status bar should not say "redis" until then.
            locks.noteRedisFailure(RedisError(code: .connectionFailed, message: reason))
        }
        result.lockMode = locks.mode
        result.duration = ContinuousClock.now - started
        return result
    }
}

extension DashboardFetcher {
    /// The alerts over the 500 oldest held locks (the stuck ones are among the oldest), the lock
    /// waits and the open transactions.
    func stuckLocks() async throws -> [LockAlert] {
        async let locks = queries.heldLocks(PageRequest(sort: "acquired_at", limit: 500))
        async let waits = queries.postgresLockWaits()
        async let transactions = queries.openTransactions()
        return StuckLockDetector.alerts(locks: try await locks.rows, lockWaits: try await waits,
                                        openTransactions: try await transactions, now: Date())
    }
}

/// The failures of one refresh, by server.
private final class Outcome: Sendable {
    enum Server { case postgres, readPool, redis }
    private let failures = Mutex<(down: [Server: String], problem: String?)>(([:], nil))

    /// Runs `read`; a failure is noted against the server whose error it is, and gives nil.
    func read<T: Sendable>(_ read: @Sendable () async throws -> T) async -> T? {
        do {
            return try await read()
        } catch let error as PostgresError where ServersUnavailable.matches(error) {
            failures.withLock { $0.down[.postgres] = $0.down[.postgres] ?? error.description }
        } catch let error as ReadPoolError where ServersUnavailable.matches(error) {
            // The pages and counts come from the read pool; actions still go to the primary.
            failures.withLock { $0.down[.readPool] = $0.down[.readPool] ?? error.underlying.description }
        } catch let error as RedisError where ServersUnavailable.matches(error) {
            // Some reads touch both servers (the alerts): the error says which one failed.
            failures.withLock { $0.down[.redis] = $0.down[.redis] ?? error.description }
        } catch {
            failures.withLock { $0.problem = $0.problem ?? "\(error)" }
        }
        return nil
    }

    /// Notes `server` as down for a reason a read reported without throwing.
    func markDown(_ server: Server, _ reason: String) {
        failures.withLock { $0.down[server] = $0.down[server] ?? reason }
    }

    func health(_ server: Server, configured: Bool) -> ServerHealth {
        guard configured else { return .notConfigured }
        return failures.withLock { $0.down[server] }.map(ServerHealth.down) ?? .up
    }

    var problem: String? { failures.withLock { $0.problem } }
}

extension Optional where Wrapped: Sendable {
    /// `map` for an async throwing transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}
