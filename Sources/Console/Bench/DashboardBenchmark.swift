import ArgumentParser
import Foundation
import MarketCore
import MarketSimulation
import Views

/// `bench dashboard`: one full refresh of the overview (every query it runs) and one frame render,
/// over a market of 1,000,000 auctions, 100,000 pending proposals and 10,000 held locks, plus the
/// process's peak RSS. Runs in a schema and Redis namespace of its own, dropped afterwards.
struct DashboardBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "Overview refresh and frame render latency over a large market, and peak RSS.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Live auctions to seed.") var auctions: Int = 1_000_000
    @Option(help: "Pending trade proposals to seed.") var proposals: Int = 100_000
    @Option(help: "Redis locks to hold.") var locks: Int = 10_000
    @Option(help: "Refreshes and renders to time.") var iterations: Int = 200
    @Option(help: "Terminal size to render, WIDTHxHEIGHT.") var size: String = "160x50"

    func validate() throws {
        guard auctions > 0, proposals >= 0, locks >= 0, iterations > 0 else {
            throw ValidationError("--auctions and --iterations must be positive, --proposals and --locks not negative")
        }
        guard terminalSize != nil else { throw ValidationError("--size must look like 160x50") }
    }

    private var terminalSize: (width: Int, height: Int)? {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        return parts.count == 2 && parts[0] >= DashboardScreen.minimumSize.width && parts[1] >= DashboardScreen.minimumSize.height
            ? (parts[0], parts[1]) : nil
    }

    func run() async throws {
        try await withBenchmarkSchema(connection, name: "dashboard") { services in try await measure(services) }
    }

    private func measure(_ services: MarketServices) async throws {
        let started = ContinuousClock.now
        try await DashboardBenchmarkSeed.seed(services: services, auctions: auctions, proposals: proposals, locks: locks) { print($0) }
        print(String(format: "seeded in %.1f s", started.duration(to: .now).milliseconds / 1000))
        let (width, height) = terminalSize!
        var model = DashboardModel(initialView: .overview)
        _ = model.update(.resized(width: width, height: height), now: Date())
        let fetcher = DashboardFetcher(market: try OperatorMarket.make(services), readsOperatorRole: false)
        print("warming up…")
        for _ in 0..<10 { _ = await fetcher.fetch(model.plan) }
        print("timing \(iterations) overview refreshes…")
        var refresh = LatencySamples()
        var result = await fetcher.fetch(model.plan)
        for _ in 0..<iterations {
            let begin = ContinuousClock.now
            result = await fetcher.fetch(model.plan)
            refresh.record(begin.duration(to: .now))
        }
        guard result.postgres == .up, result.redis == .up, result.problem == nil else {
            throw UsageError("a refresh failed (\(result.problem ?? "server down")): figures would be meaningless")
        }
        _ = model.update(.fetched(result), now: Date())
        print("timing \(iterations) frame renders at \(width)×\(height)…")
        var render = LatencySamples()
        for index in 0..<iterations {
            let begin = ContinuousClock.now
            let now = Date()
            let state = DashboardPresenter.state(model, now: now, boxes: .unicode)
            let frame = DashboardScreen.render(state, width: width, height: height)
            render.record(begin.duration(to: .now))
            if index == 0 { print(frame.text) }
        }
        let counts = result.counts
        print("overview counted \(counts?.liveAuctions ?? -1) live auctions, \(counts?.pendingProposals ?? -1) pending proposals, "
              + "\(counts?.heldLocks ?? -1) held locks")
        let milliseconds = { (samples: LatencySamples, fraction: Double) in samples.milliseconds(atPercentile: fraction) }
        print(String(format: "RESULT name=dashboard refresh_p50_ms=%.2f refresh_p99_ms=%.2f render_p50_ms=%.3f render_p99_ms=%.3f rss_mb=%.1f",
                     milliseconds(refresh, 0.5), milliseconds(refresh, 0.99), milliseconds(render, 0.5), milliseconds(render, 0.99),
                     Self.peakResidentMegabytes()))
    }

    /// The process's peak resident set size so far.
    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    }
}
