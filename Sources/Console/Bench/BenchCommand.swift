import ArgumentParser
import Foundation
import MarketCore

/// `market-console bench NAME`: throughput figures against the configured (or embedded) servers,
/// each ending with one `RESULT name=… key=value …` line.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure the core's throughput beside redis-benchmark and pgbench, and the dashboard's refresh.",
        subcommands: [LocksBenchmark.self, UnitOfWorkBenchmark.self, BidBenchmark.self, HotAuctionBenchmark.self,
                      DashboardBenchmark.self, SoakBenchmark.self, ExporterBenchmark.self])
}

/// Options every benchmark takes.
struct BenchOptions: ParsableArguments {
    @Option(help: "Concurrent clients.") var clients: Int = 16
    @Option(help: "Seconds to measure, per round.") var seconds: Int = 5
    @Option(help: "Rounds of ours and the reference tool, alternating; each side's figure is its mean.") var rounds: Int = 3

    func validate() throws {
        guard clients > 0, seconds > 0, rounds > 0 else {
            throw ValidationError("--clients, --seconds and --rounds must be positive")
        }
    }

    var alternating: AlternatingRounds { AlternatingRounds(rounds: rounds) }

    /// Initialises pgbench's tables, then alternates `operation` (from `clients` loops running on
    /// `executor`) with pgbench (`-S` when `selectOnly`) for `seconds` each; returns the mean rate
    /// of each side.
    func alternatingWithPgbench(_ database: PostgresConfiguration, selectOnly: Bool, measuring what: String,
                                clientsOn executors: [any TaskExecutor],
                                _ operation: @escaping @Sendable (Int, Int) async throws -> Void) async throws -> (ours: Double, pgbench: Double) {
        let (clients, seconds) = (self.clients, self.seconds)
        print("initialising pgbench tables (scale 10)…")
        try await offThePool { try ExternalBenchmarks.pgbenchInitialise(database) }
        let (ours, pgbench) = try await alternating.measure(ours: { _ in
            print("measuring \(what) with \(clients) clients for \(seconds) s…")
            return try await measureThroughput(clients: clients, seconds: seconds, on: executors, operation)
        }, reference: { _ in
            try await offThePool {
                try ExternalBenchmarks.pgbench(database, clients: clients, seconds: seconds, selectOnly: selectOnly) { print($0) }
            }
        })
        return (ours, pgbench)
    }
}

/// Runs `operation` from `clients` concurrent loops for `seconds`; returns completed operations per second.
///
/// - Parameter executors: where the client loops run, client `c` on `executors[c % count]`; by
///   default Swift's global pool. The database benchmarks spread their clients over the pool's
///   threads, as pgbench (`-j 2`) runs its clients on the threads that drive their connections: a
///   client's call then costs no hop between its thread and its connection's.
func measureThroughput(clients: Int, seconds: Int, on executors: [any TaskExecutor] = [],
                       _ operation: @escaping @Sendable (Int, Int) async throws -> Void) async throws -> Double {
    let deadline = ContinuousClock.now + .seconds(seconds)
    let started = ContinuousClock.now
    let total = try await withThrowingTaskGroup(of: Int.self) { group in
        for client in 0..<clients {
            group.addTask(executorPreference: executors.isEmpty ? nil : executors[client % executors.count]) {
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

/// A short random tag, so each run's keys are new.
func randomRunTag() -> String {
    String(UInt32.random(in: 0...UInt32.max), radix: 36)
}

