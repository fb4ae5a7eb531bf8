import Foundation
@testable import MarketCore
@testable import MarketSimulation
import Testing

/// The Redis master dies under traffic; Sentinel promotes its replica; the market follows.
///
/// Runs `scripts/ha-redis.sh` itself (a master, a replica, three sentinels on loopback) and the
/// simulator against the test PostgreSQL, then SIGKILLs the master.
@Suite("Redis Sentinel failover", .serialized)
struct SentinelFailoverTests {
    @Test func commitsResumeThroughThePromotedReplicaAndCommittedFencesOnlyGrow() async throws {
        try await SentinelHarness.with { harness in
            try await TestServers.withServices(redisURL: harness.url, maxConnections: 24) { services in
                let redis = try #require(services.redis)
                // Every committed fence, in commit order per key (the upsert of `mc_check_fence`
                // holds the key's row, so commits of one key cannot interleave).
                _ = try await services.pool.simpleQuery("""
                    CREATE TABLE fence_history (id bigserial PRIMARY KEY, lock_key text NOT NULL, fence bigint NOT NULL);
                    CREATE FUNCTION record_fence() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN INSERT INTO fence_history (lock_key, fence) VALUES (NEW.lock_key, NEW.fence); RETURN NEW; END $$;
                    CREATE TRIGGER lock_fences_history AFTER INSERT OR UPDATE ON lock_fences
                        FOR EACH ROW EXECUTE FUNCTION record_fence();
                    """)
                var configuration = SimulationConfiguration()
                configuration.clients = 8
                configuration.duration = .seconds(20)
                configuration.seed = 15
                configuration.users = 200
                configuration.channels = 10
                configuration.gatewayLatency = .zero
                print("sentinel failover: simulator seed \(configuration.seed)")
                let market = Market(services: services, gateways: MarketSimulator.gateways(for: configuration))
                let simulation = Task { [configuration] in
                    try await MarketSimulator(market: market, configuration: configuration).run { _ in }
                }

                #expect(redis.serverAddress?.port == harness.masterPort)
                try await waitUntil("traffic commits through the first master", within: .seconds(60)) {
                    try await count(services, "SELECT count(*) FROM fence_history") >= 200 && services.locks.mode == .redis
                }
                let highestBefore = try await count(services, "SELECT max(fence) FROM lock_fences")
                let killedAt = ContinuousClock.now
                harness.killMaster()

                // A fence issued by the promoted master lies above every fence committed before,
                // plus the gap the lock service leaves after a failover.
                let newMasterFences = "SELECT count(*) FROM fence_history WHERE fence > \(highestBefore + LockService.fenceGapAfterFailover)"
                try await waitUntil("a commit fenced by the promoted master", within: .seconds(20)) {
                    try await count(services, newMasterFences) > 0
                }
                let timeToResume = killedAt.duration(to: .now)
                try await waitUntil("commits keep coming through the promoted master", within: .seconds(10)) {
                    try await count(services, newMasterFences) >= 100
                }
                let totals = try await simulation.value

                #expect(redis.serverAddress?.port == harness.replicaPort)
                #expect(services.locks.mode == .redis)
                let outage = try #require(services.locks.lastOutage)
                #expect(outage.isFailover)
                #expect(outage.serverAfter?.port == harness.replicaPort)
                #expect(outage.endedAt != nil)
                let decreases = try await count(services, """
                    SELECT count(*) FROM (SELECT fence < lag(fence) OVER (PARTITION BY lock_key ORDER BY id) AS down
                                          FROM fence_history) steps WHERE down
                    """)
                #expect(decreases == 0, "a key's committed fence went backwards")
                let violations = try await InvariantChecker(pool: services.pool).check()
                #expect(violations.isEmpty, "\(violations.prefix(5).map(\.description).joined(separator: "\n"))")
                #expect(totals.commits > 0)
                print(String(format: "sentinel failover: time to resume %.2f s (SIGKILL of the master → first commit fenced by the promoted one); ",
                             timeToResume.milliseconds / 1000) + outage.summary + "; \(totals.commits) commits in \(Int(totals.elapsedSeconds)) s")
            }
        }
    }

    /// A failover the operator asks for leaves the old master up (as a replica): the connection
    /// follows `+switch-master` and writes to the promoted one, never to the demoted one. Also with
    /// sentinels that ask for a password of their own: discovery and the `+switch-master` watcher
    /// both authenticate (without it, the connection would stay on the demoted master).
    @Test(arguments: [false, true])
    func aConnectionFollowsAFailoverWhileTheOldMasterStaysUp(sentinelsAskForAPassword: Bool) async throws {
        let password = sentinelsAskForAPassword ? "sentinel-\(randomHex(bytes: 8))" : nil
        try await SentinelHarness.with(sentinelPassword: password) { harness in
            if let password {
                for (given, reason) in [(nil, "NOAUTH"), ("x\(password)", "WRONGPASS")] {
                    let connection = RedisConnection(configuration: try RedisConfiguration(url: harness.url, sentinelPassword: given))
                    defer { connection.close() }
                    let refused = await #expect(throws: RedisError.self) { try await connection.send("PING") }
                    #expect(refused?.code == .refused && refused?.message.contains(reason) == true, "\(String(describing: refused))")
                }
            }
            var configuration = try RedisConfiguration(url: harness.url, sentinelPassword: password)
            configuration.namespace = "\(TestServers.uniqueName("switch")):"
            let redis = RedisConnection(configuration: configuration)
            defer { redis.close() }
            try await redis.send("SET", RedisArgument(configuration.namespace + "before"), "1")
            #expect(redis.serverAddress?.port == harness.masterPort)

            let sentinelURL = "redis://\(password.map { ":\($0)@" } ?? "")127.0.0.1:\(harness.sentinelPorts[0])/0"
            let sentinel = RedisConnection(configuration: try RedisConfiguration(url: sentinelURL))
            defer { sentinel.close() }
            try await sentinel.send("SENTINEL", "FAILOVER", "market")
            try await waitUntil("the connection follows the promotion", within: .seconds(20)) {
                redis.serverAddress?.port == harness.replicaPort
            }
            // The first command after the switch may meet the dropped link; the next goes to the new master.
            try await waitUntil("a write through the promoted master", within: .seconds(10)) {
                (try? await redis.send("SET", RedisArgument(configuration.namespace + "after"), "1")) != nil
            }
            let role = try await redis.send("ROLE")
            #expect(role.array.first?.string == "master")
            #expect(configuration.sentinel?.lastSwitch?.to.port == harness.replicaPort)
        }
    }

    private func count(_ services: MarketServices, _ sql: String) async throws -> Int64 {
        try await services.pool.query(PostgresQuery(unsafeSQL: sql)).rows[0].decode(Int64?.self, at: 0) ?? 0
    }
}
