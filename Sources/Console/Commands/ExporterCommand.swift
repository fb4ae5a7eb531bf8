import ArgumentParser
import Foundation
import MarketCore
import MarketPrometheus
import Synchronization

/// `market-console exporter`: the whole market as Prometheus metrics at `/metrics`.
struct ExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exporter",
        abstract: "Serve the whole market's metrics for Prometheus at http://HOST:PORT/metrics.",
        discussion: """
            Every scrape reads the statistics seconds every process flushed since the previous scrape (Unit of Work \
            commits and rollbacks, lock waits, holds, timeouts and lost leases, as counters and histograms), the lock \
            registry, and one round trip of cheap PostgreSQL reads (pending transfers by age, sessions by state, \
            stuck-lock alerts). The Prometheus text format is served, OpenMetrics when the scraper's Accept header asks.

            Read-only, and no migrations. Runs until SIGINT or SIGTERM. Exit status 2: the address cannot be bound \
            (or another usage error); 4: the servers cannot be reached at start.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("Where to listen: HOST:PORT, [IPv6]:PORT, or :PORT for every interface.", valueName: "host:port"))
    var listen = "127.0.0.1:9464"

    func run() async throws {
        let exporter = ExporterSlot()
        let server = try await reportingErrors {
            do {
                return try MetricsHTTPServer(listen: listen, threadName: "exporter-http") { request in
                    guard let current = exporter.current else { return .text(503, "the exporter is still connecting\n") }
                    return await .metrics(for: request) { format in await current.scrape(format) }
                }
            } catch let error as MetricsHTTPServerError {
                throw UsageError(error.description)
            }
        }
        let (stop, signalled) = AsyncStream<Void>.makeStream()
        let signals = RunCommand.watchSignals { signalled.yield() }
        defer { signals.forEach { $0.cancel() } }
        print("exporter: listening on \(server.host.isEmpty ? "*" : server.host):\(server.port), metrics at /metrics")
        do {
            try await withConnectedServices(connection, migrate: false) { services, _ in
                exporter.current = MarketExporter(services: services)
                print("exporter: reading the market; stop with Ctrl-C or SIGTERM")
                for await _ in stop { break }
                print("exporter: stopping")
                // No scrape may outlive the connections it reads.
                await server.shutdown()
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }
}

/// The exporter, once connected: the listener answers 503 until then.
private final class ExporterSlot: Sendable {
    private let exporter = Mutex<MarketExporter?>(nil)

    var current: MarketExporter? {
        get { exporter.withLock { $0 } }
        set { exporter.withLock { $0 = newValue } }
    }
}
