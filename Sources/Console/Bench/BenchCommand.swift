import ArgumentParser
import Foundation
import MarketCore

/// `market-console bench NAME`: throughput figures against the configured (or embedded) servers,
/// each ending with one `RESULT name=… key=value …` line.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure the core's throughput beside redis-benchmark and pgbench.",
        subcommands: [LocksBenchmark.self, UnitOfWorkBenchmark.self])
}

/// Options every benchmark takes.
struct BenchOptions: ParsableArguments {
    @Option(help: "Concurrent clients.") var clients: Int = 16
    @Option(help: "Seconds to measure.") var seconds: Int = 5

    func validate() throws {
        guard clients > 0, seconds > 0 else { throw ValidationError("--clients and --seconds must be positive") }
    }
}

/// Runs `operation` from `clients` concurrent loops for `seconds`; returns completed operations per second.
func measureThroughput(clients: Int, seconds: Int, _ operation: @escaping @Sendable (Int, Int) async throws -> Void) async throws -> Double {
    let deadline = ContinuousClock.now + .seconds(seconds)
    let started = ContinuousClock.now
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for client in 0..<clients {
            group.addTask {
                var done = 0
                while ContinuousClock.now < deadline {
                    try await operation(client, done)
                    done += 1
                }
                return done
            }
        }
        return try await group.reduce(0, +)
    }
    return Double(total) / (started.duration(to: .now).milliseconds / 1000)
}

struct LocksBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locks", abstract: "Uncontended lock acquire+release pairs/s beside redis-benchmark SET.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: BenchOptions

    func run() async throws {
        try await reportingErrors {
            let (configuration, embedded) = try connection.resolve { print($0) }
            defer { embedded?.stop() }
            let services = try await MarketServices.connect(configuration) { print($0) }
            defer { Task { await services.shutdown() } }
            guard let redisConfiguration = configuration.redis else { throw UsageError("bench locks needs Redis") }
            let run = randomSuffix()
            print("warming up…")
            _ = try await measureThroughput(clients: options.clients, seconds: 1) { client, index in
                try await services.locks.withLock("bench:\(run):w\(client):\(index)") { _ in }
            }
            guard let redis = services.redis else { throw UsageError("bench locks needs Redis") }
            let pings = try await measureThroughput(clients: options.clients, seconds: 2) { _, _ in
                try await redis.send("PING")
            }
            print(String(format: "client round trips/s (PING, for reference): %.0f", pings))
            print("measuring lock pairs with \(options.clients) clients for \(options.seconds) s…")
            let pairs = try await measureThroughput(clients: options.clients, seconds: options.seconds) { client, index in
                try await services.locks.withLock("bench:\(run):\(client):\(index)") { _ in }
            }
            print(String(format: "lock acquire+release pairs/s: %.0f", pairs))
            print("running redis-benchmark -t set -c \(options.clients)…")
            let setRate = try ExternalBenchmarks.redisSet(redisConfiguration, clients: options.clients, requests: 200_000)
            print(String(format: "redis-benchmark SET requests/s: %.0f", setRate))
            print(String(format: "RESULT name=locks clients=%d pairs_per_s=%.0f redis_set_rps=%.0f ratio=%.3f",
                         options.clients, pairs, setRate, pairs / setRate))
        }
    }
}

struct UnitOfWorkBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uow", abstract: "Empty Units of Work (BEGIN / SELECT 1 / COMMIT) per second beside pgbench -S.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: BenchOptions

    func run() async throws {
        try await reportingErrors {
            var (configuration, embedded) = try connection.resolve { print($0) }
            defer { embedded?.stop() }
            configuration.database.maxConnections = options.clients
            let services = try await MarketServices.connect(configuration) { print($0) }
            defer { Task { await services.shutdown() } }
            let emptyUnitOfWork: @Sendable (Int, Int) async throws -> Void = { _, _ in
                try await services.database.withUnitOfWork(named: "bench.empty") { uow in
                    _ = try await uow.query("SELECT 1")
                }
            }
            print("warming up…")
            _ = try await measureThroughput(clients: options.clients, seconds: 1, emptyUnitOfWork)
            print("measuring empty Units of Work with \(options.clients) clients for \(options.seconds) s…")
            let rate = try await measureThroughput(clients: options.clients, seconds: options.seconds, emptyUnitOfWork)
            print(String(format: "Units of Work/s: %.0f", rate))
            let tps = try ExternalBenchmarks.pgbench(configuration.database, clients: options.clients, seconds: options.seconds,
                                                     selectOnly: true) { print($0) }
            print(String(format: "pgbench -S tps: %.0f", tps))
            print(String(format: "RESULT name=uow clients=%d uow_per_s=%.0f pgbench_select_tps=%.0f ratio=%.3f",
                         options.clients, rate, tps, rate / tps))
        }
    }
}

private func randomSuffix() -> String {
    String(UInt32.random(in: 0...UInt32.max), radix: 36)
}
