import Foundation
import Testing
@testable import MarketCore

@Suite("Lock fallback when Redis goes away", .serialized)
struct LockFallbackTests {
    /// 32 clients increment under one key; Redis is killed halfway. Exclusion holds throughout
    /// (advisory locks take over), the mode says so, and Redis locks come back with Redis.
    @Test func advisoryFallbackKeepsExclusionAndReportsTheMode() async throws {
        let redisServer = try TestRedisServer()
        try await TestServers.withServices(redisURL: redisServer.url, maxConnections: 40) { services in
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'counter')")
            let occupancy = Occupancy()
            let successes = Ledger<LockMode>()
            let failures = Ledger<String>()
            let killAfter = OneShotSignal()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        for _ in 0..<6 {
                            do {
                                try await services.locks.withLock("counter:1", operation: "test.increment", wait: .seconds(60)) { lease in
                                    try await unprotectedIncrement(services, lease: lease, occupancy: occupancy)
                                    successes.append(lease.mode)
                                    if successes.all.count == 40 { killAfter.fire() }
                                }
                            } catch let error as LockError where error.code == .leaseLost {
                                failures.append(error.description)
                            }
                        }
                    }
                }
                _ = try await killAfter.wait(timeout: .seconds(60))
                redisServer.kill()
                try await group.waitForAll()
            }
            let value = try await services.pool.query("SELECT balance FROM users WHERE id = 1").rows[0].decode(Int64.self, at: 0)
            #expect(value == Int64(successes.all.count))
            #expect(successes.all.count + failures.all.count == 192)
            #expect(occupancy.most == 1)
            #expect(services.locks.mode == .advisory)
            #expect(successes.all.filter { $0 == .advisory }.count > 0)

            try redisServer.start()
            #expect(try await Self.modeOnceRedisAnswers(services) == .redis)
            let fence = try await services.locks.withLock("counter:1") { lease in
                try await unprotectedIncrement(services, lease: lease, occupancy: occupancy)
                return lease.fence
            }
            let committed = try await services.pool.query("SELECT max(fence) FROM lock_fences").rows[0].decode(Int64.self, at: 0)
            #expect(fence == committed)
        }
    }

    @Test func failClosedRefusesWhileRedisIsDown() async throws {
        let redisServer = try TestRedisServer()
        try await TestServers.withServices(redisURL: redisServer.url, policy: .failClosed) { services in
            try await services.locks.withLock("nft:buy:1") { _ in }
            redisServer.kill()
            let error = await #expect(throws: LockError.self) {
                try await services.locks.withLock("nft:buy:1") { _ in }
            }
            #expect(error?.code == .unavailable)
            #expect(services.locks.mode == .failClosed)
        }
    }

    @Test func noopRunsUnlockedOnlyWhenAskedTo() async throws {
        let redisServer = try TestRedisServer()
        try await TestServers.withServices(redisURL: redisServer.url, policy: .noop) { services in
            redisServer.kill()
            let lease = try await services.locks.withLock("nft:buy:1") { $0 }
            #expect(lease.mode == .noop)
            #expect(lease.fence == 0)
            #expect(services.locks.mode == .noop)
        }
    }

    /// An operator opening the console during a Redis outage gets a working market on the
    /// fallback, and Redis locks once Redis answers again.
    @Test func startsOnTheFallbackWhileRedisIsDownAndSwitchesBackWhenItAnswers() async throws {
        let redisServer = try TestRedisServer()
        redisServer.kill()
        try await TestServers.withServices(redisURL: redisServer.url) { services in
            #expect(services.locks.mode == .advisory)
            let lease = try await services.locks.withLock("nft:buy:1") { $0 }
            #expect(lease.mode == .advisory)

            try redisServer.start()
            #expect(try await Self.modeOnceRedisAnswers(services) == .redis)
            #expect(try await services.locks.withLock("nft:buy:1") { $0.mode } == .redis)
        }
    }

    /// The lock mode once the keeper's probe (once a second) has had time to find Redis back, at most 6 s.
    static func modeOnceRedisAnswers(_ services: MarketServices) async throws -> LockMode {
        var mode = services.locks.mode
        for _ in 0..<60 where mode != .redis {
            try await Task.sleep(for: .milliseconds(100))
            mode = services.locks.mode
        }
        return mode
    }
}
