@testable import Console
import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import Testing

/// The status bar must not say "locks: redis" beside "Redis DOWN".
@Suite("Dashboard refresh while Redis is down")
struct RedisOutageFetchTests {
    @Test func aRefreshThatFindsRedisDownShowsTheFallbackLockMode() async throws {
        guard let database = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            Issue.record("DATABASE_URL is not set: run the tests with scripts/test.sh")
            return
        }
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let closedPort = try #require(EmbeddedFreePort.pick(), "no free local port")  // nothing listens there
        var configuration = try MarketConfiguration(databaseURL: database, redisURL: "redis://127.0.0.1:\(closedPort)/0")
        configuration.database.schema = "outage_\(tag)"
        let services = try await MarketServices.connect(configuration)
        #expect(services.locks.mode == .advisory, "the start-up found Redis down")
        // As if Redis had answered until now: this process has not tried a lock since.
        services.locks.noteRedisRecovered()
        #expect(services.locks.mode == .redis)

        let fetcher = DashboardFetcher(market: try OperatorMarket.make(services), readsOperatorRole: false)
        let plan = FetchPlan(view: .locks, pages: [.heldLocks: PageRequest(sort: "acquired_at", limit: 10)], overviewRows: 5,
                             bidsOfAuction: nil, rateWindowSeconds: 60)
        let result = await fetcher.fetch(plan)
        guard case .down = result.redis else {
            Issue.record("Redis read as \(result.redis)")
            return
        }
        #expect(result.postgres == .up)
        #expect(result.lockMode == .advisory)
        _ = try await services.pool.simpleQuery("DROP SCHEMA \(Migrator.quoteIdentifier("outage_\(tag)")) CASCADE")
        await services.shutdown()
    }

}
