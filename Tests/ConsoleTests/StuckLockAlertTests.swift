import Foundation
import Testing
@testable import Console
@testable import MarketCore

/// A holder that took a lock, opened its transaction and froze: the alerts show it.
@Suite("Stuck-lock alerts")
struct StuckLockAlertTests {
    @Test func aFrozenHolderWithAnOpenTransactionAppearsWithinTwoRefreshes() async throws {
        try await IsolatedMarket.withFetcher("stuck") { services, fetcher in
            let plan = FetchPlan(view: .alerts, pages: [:], overviewRows: 5, bidsOfAuction: nil, rateWindowSeconds: 60)
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'frozen')")

            // The "frozen" holder: a lock taken with a 2.5 s lease that nobody renews…
            let key = "account:1"
            let token = randomHex(bytes: 16)
            let locks = services.locks
            let redisConnection = try #require(services.redis)
            try await locks.syncFenceFloor()
            let reply = try await LockScripts.acquire.run(on: redisConnection,
                                                          keys: [RedisArgument(locks.keys.lock(key))] + locks.fenceKeys,
                                                          arguments: [RedisArgument(token), RedisArgument(Int64(2500))])
            let fence = try #require(reply.array.last?.integer)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            try await #require(locks.bookkeeper).registerNow([(key, token, locks.registryEntry(
                operation: "account.deposit", fence: fence, acquiredMilliseconds: now, ttlMilliseconds: 2500, token: token))])
            // …and its transaction, open and idle on one of this process's connections.
            try await services.pool.withConnection { frozen in
                _ = try await frozen.simpleQuery("BEGIN")
                _ = try await frozen.query("UPDATE users SET held = held WHERE id = 1")

                let first = await fetcher.fetch(plan)
                try await Task.sleep(for: .seconds(1))
                let second = await fetcher.fetch(plan)
                let alerts = (first.alerts ?? []) + (second.alerts ?? [])
                let alert = try #require(alerts.first { $0.subject == key }, "alerts were \(alerts)")
                #expect(alert.kind == .leaseEndingWithOpenTransaction)
                #expect(alert.severity == .critical)
                // Other tests of this process may have transactions open too; the idle one is named first.
                #expect(alert.message.contains("is still open"))
                _ = try await frozen.simpleQuery("ROLLBACK")
            }
        }
    }

    @Test func anIdleBlockerAndAHolderThatStoppedExtendingAreFlagged() {
        let now = DashboardFixture.now
        let stale = HeldLock(key: "trade:7", host: "m-1", pid: 5, operation: "trade.propose", fence: 9,
                             acquiredAtMilliseconds: Int64(now.addingTimeInterval(-20).timeIntervalSince1970 * 1000),
                             leaseMilliseconds: 10_000, ttlLeftMilliseconds: 2_500, waiters: 1)
        let alerts = StuckLockDetector.alerts(locks: [stale], lockWaits: DashboardFixture.lockWaits,
                                              openTransactions: [], now: now)
        #expect(alerts.map(\.kind) == [.idleBlocker, .leaseNotExtended])
        #expect(alerts[0].message == "pid 100 (market-console) sits idle in its transaction for 40 s and blocks 1 session(s)")
        #expect(alerts[1].severity == .warning)
    }
}
