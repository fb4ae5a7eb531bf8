import ArgumentParser
import Foundation
import MarketCore

/// `bench locks`: uncontended acquire+release pairs/s on distinct keys, beside `redis-benchmark -t set`
/// with as many clients on the same server.
struct LocksBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locks", abstract: "Uncontended lock acquire+release pairs/s beside redis-benchmark SET.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: BenchOptions

    func run() async throws {
        try await withConnectedServices(connection, as: .schemaOwner, clients: options.clients) { services, _ in
            guard let redis = services.redis else { throw UsageError("bench locks needs Redis") }
            let run = randomRunTag()
            print("warming up…")
            _ = try await measureThroughput(clients: options.clients, seconds: 1) { client, index in
                try await services.locks.withLock("bench:\(run):w\(client):\(index)") { _ in }
            }
            let pings = try await measureThroughput(clients: options.clients, seconds: 2) { _, _ in
                try await redis.send("PING")
            }
            print(String(format: "client round trips/s (PING, for reference): %.0f", pings))
            let (redisConfiguration, clients) = (redis.configuration, options.clients)
            let (pairs, setRate) = try await ThrowawayRedisUser.around(redis, tag: run) { benchmarkUser in
                try await options.alternating.measure(ours: { round in
                    print("measuring lock pairs with \(clients) clients for \(options.seconds) s…")
                    return try await measureThroughput(clients: clients, seconds: options.seconds) { client, index in
                        try await services.locks.withLock("bench:\(run):\(round):\(client):\(index)") { _ in }
                    }
                }, reference: { _ in
                    print("running redis-benchmark -t set -c \(clients)…")
                    return try await offThePool {
                        try ExternalBenchmarks.redisSet(redisConfiguration, clients: clients, requests: 200_000, as: benchmarkUser)
                    }
                })
            }
            print(String(format: "lock acquire+release pairs/s: %.0f; redis-benchmark SET requests/s: %.0f", pairs, setRate))
            print(String(format: "RESULT name=locks clients=%d pairs_per_s=%.0f redis_set_rps=%.0f ratio=%.3f",
                         options.clients, pairs, setRate, pairs / setRate))
        }
    }
}
