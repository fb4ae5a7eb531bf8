import ArgumentParser
import Foundation
import MarketCore
import MarketPrometheus
import Views

/// `bench soak`: the console's refresh loop (fetch, merge into the model, render a frame) and the
/// exporter's scrape loop, side by side for many minutes over live traffic, printing the resident
/// set size as it goes, so memory that grows with every refresh or scrape shows as a slope rather
/// than hiding in a short run.
///
/// Reads the configured market as the console would. The traffic is a `simulate` child process of
/// this executable on the same servers (`--traffic-clients 0` relies on traffic already running).
struct SoakBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "The console's refresh loop for minutes over live traffic, with RSS at start and end.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Minutes to run the refresh loop.") var minutes: Double = 30
    @Option(help: "Seconds between refreshes, as the console's --refresh.") var refresh: Double = 0.25
    @Option(help: "Clients of the simulate process started beside it (0: use traffic already running).") var trafficClients: Int = 4
    @Option(help: "Seconds on each view before moving to the next, so every view's reads run.") var viewSeconds: Double = 10
    @Option(help: "Seconds between exporter scrapes, as Prometheus' scrape_interval (0: no scrapes).") var scrapeSeconds: Double = 5
    @Option(help: "Terminal size to render, WIDTHxHEIGHT.") var size: String = "160x45"

    func validate() throws {
        _ = try FiniteSeconds.duration(minutes * 60, option: "--minutes", minimum: 1)
        _ = try FiniteSeconds.duration(refresh, option: "--refresh", minimum: 0.05, maximum: 60)
        _ = try FiniteSeconds.duration(viewSeconds, option: "--view-seconds", minimum: 0.1)
        if scrapeSeconds != 0 { _ = try FiniteSeconds.duration(scrapeSeconds, option: "--scrape-seconds", minimum: 0.1) }
        guard trafficClients >= 0 else { throw ValidationError("--traffic-clients cannot be negative") }
        guard terminalSize != nil else { throw ValidationError("--size must look like 160x45") }
    }

    private var terminalSize: (width: Int, height: Int)? {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        return parts.count == 2 && parts[0] >= DashboardScreen.minimumSize.width && parts[1] >= DashboardScreen.minimumSize.height
            ? (parts[0], parts[1]) : nil
    }

    func run() async throws {
        try await withConnectedServices(connection) { services, _ in
            let traffic = try trafficClients > 0
                ? SoakTraffic.start(clients: trafficClients, seconds: Int(minutes * 60) + 30, connection: connection) : nil
            defer { traffic?.stop() }
            try await soak(OperatorMarket.make(services), exporter: scrapeSeconds > 0 ? MarketExporter(services: services) : nil)
            if let traffic { print("traffic: \(traffic.stop())") }
        }
    }

    private func soak(_ market: Market, exporter: MarketExporter?) async throws {
        let (width, height) = terminalSize!
        var model = DashboardModel(initialView: .overview)
        _ = model.update(.resized(width: width, height: height), now: Date())
        let fetcher = DashboardFetcher(market: market, readsOperatorRole: true)
        let interval = try FiniteSeconds.duration(refresh, option: "--refresh", minimum: 0.05, maximum: 60)
        let started = ContinuousClock.now
        let end = started + .seconds(minutes * 60)
        var nextView = started + .seconds(viewSeconds)
        var nextReport = started + .seconds(60)
        var refreshes = 0
        var failed = 0
        let startRSS = ResidentMemory.currentMegabytes()
        var afterFirstMinute: Double?
        let scraping = exporter == nil ? "no scrapes" : "an exporter scrape every \(scrapeSeconds) s"
        print("soaking for \(minutes) min: a refresh every \(refresh) s, a new view every \(viewSeconds) s, \(scraping); "
              + String(format: "RSS %.1f MB", startRSS))
        let scrapes = Task { [scrapeSeconds] () -> Int in
            guard let exporter else { return 0 }
            var count = 0
            while ContinuousClock.now < end, !Task.isCancelled {
                _ = await exporter.scrape(.prometheusText)
                count += 1
                try? await Task.sleep(for: .seconds(scrapeSeconds))
            }
            return count
        }
        defer { scrapes.cancel() }
        while ContinuousClock.now < end {
            let tick = ContinuousClock.now
            let result = await fetcher.fetch(model.plan)
            if result.problem != nil || result.postgres != .up { failed += 1 }
            _ = model.update(.fetched(result), now: Date())
            _ = DashboardScreen.render(DashboardPresenter.state(model, now: Date(), boxes: .unicode), width: width, height: height)
            refreshes += 1
            if ContinuousClock.now >= nextView {
                _ = model.update(.key(.right), now: Date())
                nextView += .seconds(viewSeconds)
            }
            if ContinuousClock.now >= nextReport {
                let rss = ResidentMemory.currentMegabytes()
                if afterFirstMinute == nil { afterFirstMinute = rss }
                print(String(format: "%4.0f min: RSS %.1f MB after %d refreshes (%d failed)",
                             started.duration(to: .now).milliseconds / 60_000, rss, refreshes, failed))
                nextReport += .seconds(60)
            }
            try await Task.sleep(until: tick + interval, clock: .continuous)
        }
        let scraped = await scrapes.value
        let endRSS = ResidentMemory.currentMegabytes()
        let baseline = afterFirstMinute ?? startRSS
        print(String(format: "RESULT name=soak minutes=%g refreshes=%d failed=%d scrapes=%d rss_start_mb=%.1f rss_after_1min_mb=%.1f rss_end_mb=%.1f growth_after_1min_pct=%.1f",
                     minutes, refreshes, failed, scraped, startRSS, baseline, endRSS, (endRSS - baseline) / baseline * 100))
    }
}

/// This process's resident set size now (not its peak), from `/proc/self/statm`.
enum ResidentMemory {
    static func currentMegabytes() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}

/// A `market-console simulate` child process on the soak's servers: the same flags and environment,
/// so it reaches the same market (reusing the embedded servers when those are in use).
final class SoakTraffic {
    private let process: Process
    private let outputPath: String

    private init(process: Process, outputPath: String) {
        self.process = process
        self.outputPath = outputPath
    }

    static func start(clients: Int, seconds: Int, connection: ConnectionOptions) throws -> SoakTraffic {
        let outputPath = NSTemporaryDirectory() + "market-console-soak-traffic-\(getpid()).log"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              let output = FileHandle(forWritingAtPath: outputPath) else {
            throw UsageError("cannot write the traffic's log \(outputPath)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var arguments = ["simulate", "--clients", String(clients), "--duration", String(seconds)]
        for (flag, value) in [("--database-url", connection.databaseURL), ("--redis-url", connection.redisURL),
                              ("--redis-namespace", connection.redisNamespace), ("--state-dir", connection.stateDir)] {
            if let value { arguments += [flag, value] }
        }
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        print("traffic: simulate --clients \(clients) (pid \(process.processIdentifier)), log \(outputPath)")
        return SoakTraffic(process: process, outputPath: outputPath)
    }

    /// Stops the traffic if it still runs; returns the last line it printed.
    @discardableResult
    func stop() -> String {
        if process.isRunning {
            process.interrupt()
            process.waitUntilExit()
        }
        let log = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let last = log.split(whereSeparator: \.isNewline).last(where: { $0.hasPrefix("done:") }) ?? log.split(whereSeparator: \.isNewline).last
        return last.map(String.init) ?? "no output (exit status \(process.terminationStatus))"
    }
}
