import ArgumentParser
import Foundation
import MarketCore

/// `bench uow`: empty Units of Work per second, beside `pgbench -S` with as many clients on the same server.
struct UnitOfWorkBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uow", abstract: "Empty Units of Work (BEGIN / SELECT 1 / COMMIT) per second beside pgbench -S.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: BenchOptions

    func run() async throws {
        try await withConnectedServices(connection, as: .schemaOwner, clients: options.clients) { services, _ in
            let emptyUnitOfWork: @Sendable (Int, Int) async throws -> Void = { _, _ in
                try await services.database.withUnitOfWork(named: "bench.empty") { uow in
                    _ = try await uow.query("SELECT 1")
                }
            }
            print("warming up…")
            let executors = services.pool.taskExecutors
            _ = try await measureThroughput(clients: options.clients, seconds: 1, on: executors, emptyUnitOfWork)
            let (rate, tps) = try await options.alternatingWithPgbench(
                services.configuration.database, selectOnly: true, measuring: "empty Units of Work", clientsOn: executors, emptyUnitOfWork)
            print(String(format: "Units of Work/s: %.0f; pgbench -S tps: %.0f", rate, tps))
            print(String(format: "RESULT name=uow clients=%d uow_per_s=%.0f pgbench_select_tps=%.0f ratio=%.3f",
                         options.clients, rate, tps, rate / tps))
        }
    }
}
