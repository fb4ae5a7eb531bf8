import ArgumentParser
import Foundation
import MarketCore
import MarketPrometheus
import MarketSimulation

/// `bench exporter`: what one Prometheus scrape of `exporter` costs over the dashboard benchmark's
/// market (1,000,000 auctions, 100,000 pending proposals, 10,000 held locks, pending transfers and
/// withdrawals), scraped once a second while every second brings 1,000 Unit of Work outcomes to
/// turn into counters and histograms. Times the exporter's whole read-and-render, as `GET /metrics` runs it. In a schema
/// and Redis namespace of its own, dropped afterwards.
struct ExporterBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exporter", abstract: "Time per exporter scrape over the 1M-auction benchmark market.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Live auctions to seed.") var auctions: Int = 1_000_000
    @Option(help: "Pending trade proposals to seed.") var proposals: Int = 100_000
    @Option(help: "Redis locks to hold.") var locks: Int = 10_000
    @Option(help: "Scrapes to time, one a second.") var iterations: Int = 30

    func validate() throws {
        guard auctions > 0, proposals >= 0, locks >= 0, iterations > 0 else {
            throw ValidationError("--auctions and --iterations must be positive, --proposals and --locks not negative")
        }
    }

    func run() async throws {
        try await withBenchmarkSchema(connection, name: "exporter") { services in try await measure(services) }
    }

    private func measure(_ services: MarketServices) async throws {
        let started = ContinuousClock.now
        try await DashboardBenchmarkSeed.seed(services: services, auctions: auctions, proposals: proposals, locks: locks) { print($0) }
        print(String(format: "seeded in %.1f s", started.duration(to: .now).milliseconds / 1000))
        let exporter = MarketExporter(services: services)
        print("warming up…")
        for _ in 0..<5 { _ = await exporter.scrape(.prometheusText) }
        print("timing \(iterations) scrapes, one a second…")
        var scrapes = LatencySamples()
        var bytes = 0
        var next = ContinuousClock.now
        for _ in 0..<iterations {
            // Paced as Prometheus scraping every second: each scrape finds one more settled second.
            try await Task.sleep(until: next)
            next = next + .seconds(1)
            // What the flush of a busy second leaves for the next scrape: every operation's outcomes.
            for operation in ["auction.bid", "auction.new", "nft.buy", "channel.transfer", "withdraw.request"] {
                for index in 0..<200 {
                    services.stats.recordUnitOfWork(operation: operation, outcome: index % 10 == 0 ? .rollback(.conflict) : .commit,
                                                    duration: .microseconds(200 + index * 37))
                }
            }
            await services.stats.flush()
            let begin = ContinuousClock.now
            bytes = await exporter.scrape(.prometheusText).count
            scrapes.record(begin.duration(to: .now))
        }
        let text = String(decoding: await exporter.scrape(.prometheusText), as: UTF8.self)
        guard text.contains(#"market_up{server="postgres"} 1.0"#), text.contains(#"market_up{server="redis"} 1.0"#) else {
            throw UsageError("a scrape could not read both servers: figures would be meaningless")
        }
        print(String(format: "RESULT name=exporter scrape_p50_ms=%.2f scrape_p99_ms=%.2f bytes=%d",
                     scrapes.milliseconds(atPercentile: 0.5), scrapes.milliseconds(atPercentile: 0.99), bytes))
    }
}
