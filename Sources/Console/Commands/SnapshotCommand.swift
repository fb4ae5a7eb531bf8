import ArgumentParser
import Foundation
import MarketCore
import Views

/// `market-console snapshot`: the dashboard's data as plain tables, JSON or CSV, once or every
/// few seconds, for scripts, runbooks, alerting and postmortems.
struct SnapshotCommand: AsyncParsableCommand {
    /// How a snapshot is written.
    enum Output: String, ExpressibleByArgument, CaseIterable {
        case table, json, csv
    }

    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Print a view's data as tables, JSON or CSV, once or every few seconds.",
        discussion: """
            JSON: {"view", "fetched_at", "servers", "lock_mode", "counts", "panes": {NAME: [row, …]}}; every row has an "id".
            With -n above 1 or --append, JSON is one document per line. CSV: fetched_at, pane, then the pane's columns.
            Exit status: 0; 4 when PostgreSQL or Redis cannot be reached, or stopped answering during a snapshot (what could be read is still printed).
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The view: \(ViewKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var view: String = ViewKind.overview.rawValue

    @Option(help: "table, json or csv.")
    var output: Output = .table

    @Flag(help: "Same as --output json.")
    var json = false

    @Option(name: [.customShort("n"), .long], help: "Snapshots to take.")
    var iterations: Int = 1

    @Option(help: "Seconds between snapshots (at least 0.25).")
    var interval: Double = 1

    @Option(help: "Append to this file instead of printing.")
    var append: String?

    @Option(help: "Rows per table (1…500).")
    var limit: Int = 50

    @Option(help: "Only rows whose text contains this (case-insensitive).")
    var filter: String = ""

    @Option(help: "Sort key of the view's main table (e.g. ends_at, current_bid, created_at).")
    var sort: String?

    @Flag(help: "Sort descending.")
    var descending = false

    private var format: Output { json ? .json : output }

    func validate() throws {
        guard let kind = ViewKind(rawValue: view) else {
            throw ValidationError("unknown view '\(TerminalText.sanitized(view))': \(ViewKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be between 1 and 500") }
        guard iterations >= 1 else { throw ValidationError("-n must be at least 1") }
        // At least 0.25 s protects the servers.
        _ = try FiniteSeconds.duration(interval, option: "--interval", minimum: 0.25)
        if sort != nil && !kind.panes[kind.defaultPane].isPaged { throw ValidationError("the \(view) view has a fixed order") }
    }

    func run() async throws {
        let kind = ViewKind(rawValue: view)!
        let sink = try append.map(SnapshotSink.appending(to:)) ?? .standardOutput
        let pause = try FiniteSeconds.duration(interval, option: "--interval", minimum: 0.25)
        let healthy = try await withConnectedServices(connection, progress: { Self.standardError($0) }) { services, _ in
            let fetcher = DashboardFetcher(market: try OperatorMarket.make(services), readsOperatorRole: false)
            var allHealthy = true
            for iteration in 1...iterations {
                let started = ContinuousClock.now
                let result = await fetcher.fetch(plan(kind))
                try sink.write(render(result, view: kind, first: iteration == 1))
                if let problem = result.problem { Self.standardError("problem: \(problem)") }
                allHealthy = allHealthy && ![result.postgres, result.readPool, result.redis].contains { health in
                    if case .down = health { return true }
                    return false
                }
                if iteration < iterations {
                    try await Task.sleep(until: started + pause, clock: .continuous)
                }
            }
            return allHealthy
        }
        if !healthy { throw ExitCode(4) }
    }

    private func render(_ result: FetchResult, view: ViewKind, first: Bool) throws -> String {
        let now = Date()
        switch format {
        case .table: return Self.text(result, view: view, now: now) + (iterations > 1 ? "\n" : "")
        case .json: return try SnapshotJSON.document(result, now: now, compact: iterations > 1 || append != nil)
        case .csv: return Self.csv(result, view: view, now: now, header: first)
        }
    }

    private func plan(_ kind: ViewKind) -> FetchPlan {
        var pages: [PaneSource: PageRequest] = [:]
        for (index, source) in kind.panes.enumerated() where source.isPaged && kind != .overview {
            let useFlags = index == kind.defaultPane
            pages[source] = PageRequest(sort: useFlags ? sort ?? source.defaultSort.key : source.defaultSort.key,
                                        descending: useFlags && sort != nil ? descending : source.defaultSort.descending,
                                        filter: useFlags ? filter : "", limit: limit)
        }
        return FetchPlan(view: kind, pages: pages, overviewRows: limit, bidsOfAuction: nil, rateWindowSeconds: 60)
    }

    private static func text(_ result: FetchResult, view: ViewKind, now: Date) -> String {
        var model = DashboardModel(initialView: view)
        model.show(result)
        let state = DashboardPresenter.state(model, now: now, boxes: .ascii)
        var sections = [TerminalText.sanitized(state.status.map(\.text).joined(separator: "  "))]
        for pane in state.panes {
            let heading = TerminalText.sanitized("== \(pane.title)\(pane.summary.isEmpty ? "" : " (\(pane.summary))")")
            sections.append(heading + "\n" + PlainTable.render(pane.table, now: now))
        }
        return sections.joined(separator: "\n\n")
    }

    /// Each pane's rows as CSV: fetched_at, pane, then the pane's columns (one header line per pane
    /// the first time).
    private static func csv(_ result: FetchResult, view: ViewKind, now: Date, header: Bool) -> String {
        var model = DashboardModel(initialView: view)
        model.show(result)
        let state = DashboardPresenter.state(model, now: now, boxes: .ascii)
        let fetchedAt = ISO8601DateFormatter().string(from: result.fetchedAt)
        var lines: [String] = []
        for (source, pane) in zip(view.panes, state.panes) {
            if header { lines.append((["fetched_at", "pane"] + pane.table.columns.map(\.title)).map(CSVField.encode).joined(separator: ",")) }
            for row in pane.table.rows {
                let cells = PlainTable.values(of: row, now: now)
                lines.append(([fetchedAt, source.rawValue] + cells).map(CSVField.encode).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
