import Foundation
import MarketCore
import MarketSimulation

/// `bench bid --through-sentinel`: the same uncontended bids through Sentinel discovery and on the
/// same master named directly, in alternating rounds.
///
/// Discovery costs only at (re)connection: once the link is up, commands go straight to the master.
/// The direct side connects to the master the sentinels named (`redis://host:port/db`), on the same
/// schema and key namespace, so the two sides differ in nothing but how Redis was found.
struct SentinelBidComparison {
    let options: BenchOptions

    /// Runs the rounds; `direct` makes the bid operation for the direct side's market.
    func run(_ services: MarketServices, log: LatencyLog,
             direct makeDirect: (Market) -> @Sendable (Int, Int) async throws -> Void,
             throughSentinel makeSentinel: () -> @Sendable (Int, Int) async throws -> Void) async throws {
        guard let redis = services.redis, let sentinel = redis.configuration.sentinel else {
            throw UsageError("--through-sentinel needs a redis-sentinel:// REDIS_URL")
        }
        _ = try await redis.send("PING")
        guard let master = redis.serverAddress else {
            throw UsageError("the sentinels named no master \(sentinel.masterName)")
        }
        var configuration = services.configuration
        var direct = try RedisConfiguration(url: "redis://\(master)/\(redis.configuration.database)")
        direct.username = redis.configuration.username
        direct.password = redis.configuration.password
        direct.namespace = redis.configuration.namespace
        configuration.redis = direct
        print("direct side: \(direct.redactedURL), the master \(sentinel.masterName) the sentinels named")
        let directServices = try await MarketServices.connect(configuration, migrate: false)
        do {
            let directMarket = Market(services: directServices, gateways: MarketSimulator.gateways(for: SimulationConfiguration()))
            let throughSentinel = makeSentinel()
            let directBid = makeDirect(directMarket)
            let (clients, seconds) = (options.clients, options.seconds)
            print("warming up…")
            _ = try await measureThroughput(clients: clients, seconds: 1, on: services.pool.taskExecutors, throughSentinel)
            _ = try await measureThroughput(clients: clients, seconds: 1, on: directServices.pool.taskExecutors, directBid)
            log.reset()
            let (viaSentinel, viaDirect) = try await options.alternating.measure(ours: { _ in
                print("measuring bids through Sentinel with \(clients) clients for \(seconds) s…")
                return try await measureThroughput(clients: clients, seconds: seconds, on: services.pool.taskExecutors, throughSentinel)
            }, reference: { _ in
                print("measuring bids on \(master) directly with \(clients) clients for \(seconds) s…")
                return try await measureThroughput(clients: clients, seconds: seconds, on: directServices.pool.taskExecutors, directBid)
            })
            let measured = log.snapshot
            let p50 = measured.samples.milliseconds(atPercentile: 0.5)
            let p99 = measured.samples.milliseconds(atPercentile: 0.99)
            print(String(format: "bids/s through Sentinel %.0f, direct %.0f (both sides: p50 %.2f ms, p99 %.2f ms)", viaSentinel, viaDirect, p50, p99))
            print(String(format: "RESULT name=bid_sentinel clients=%d sentinel_ops_per_s=%.0f direct_ops_per_s=%.0f ratio=%.3f",
                         clients, viaSentinel, viaDirect, viaSentinel / max(viaDirect, 1)))
            await directServices.shutdown()
        } catch {
            await directServices.shutdown()
            throw error
        }
    }
}
