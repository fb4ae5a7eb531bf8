import ArgumentParser
import Foundation
import MarketCore
import Views

/// `market-console snapshot`: the dashboard's data once, as plain tables or JSON, for scripts,
/// runbooks and alerting.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Print a view's data once, as plain tables or JSON.",
        discussion: """
            JSON: {"view", "fetched_at", "servers", "lock_mode", "panes": {NAME: [row, …]}}; every row has an "id".
            Exit status: 0, or 4 when PostgreSQL or Redis could not be read (what could be read is still printed).
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The view: \(ViewKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var view: String = ViewKind.overview.rawValue

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Option(help: "Rows per table (1…500).")
    var limit: Int = 50

    @Option(help: "Only rows whose text contains this (case-insensitive).")
    var filter: String = ""

    @Option(help: "Sort key of the view's main table (e.g. ends_at, current_bid, created_at).")
    var sort: String?

    @Flag(help: "Sort descending.")
    var descending = false

    func validate() throws {
        guard let kind = ViewKind(rawValue: view) else {
            throw ValidationError("unknown view '\(view)': \(ViewKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (1...500).contains(limit) else { throw ValidationError("--limit must be between 1 and 500") }
        if sort != nil && !kind.panes[0].isPaged { throw ValidationError("the \(view) view has a fixed order") }
    }

    func run() async throws {
        let kind = ViewKind(rawValue: view)!
        let healthy = try await withConnectedServices(connection, progress: { Self.standardError($0) }) { services, _ in
            let result = await DashboardFetcher(services: services).fetch(plan(kind))
            let now = Date()
            if json {
                print(try SnapshotJSON.document(result, now: now))
            } else {
                print(Self.text(result, view: kind, now: now))
            }
            if let problem = result.problem { Self.standardError("problem: \(problem)") }
            return ![result.postgres, result.redis].contains { health in
                if case .down = health { return true }
                return false
            }
        }
        if !healthy { throw ExitCode(4) }
    }

    private func plan(_ kind: ViewKind) -> FetchPlan {
        var pages: [PaneSource: PageRequest] = [:]
        for (index, source) in kind.panes.enumerated() where source.isPaged && kind != .overview {
            let useFlags = index == 0
            pages[source] = PageRequest(sort: useFlags ? sort ?? source.defaultSort.key : source.defaultSort.key,
                                        descending: useFlags && sort != nil ? descending : source.defaultSort.descending,
                                        filter: useFlags ? filter : "", limit: limit)
        }
        return FetchPlan(view: kind, pages: pages, overviewRows: limit, bidsOfAuction: nil, rateWindowSeconds: 60)
    }

    private static func text(_ result: FetchResult, view: ViewKind, now: Date) -> String {
        var model = DashboardModel(initialView: view)
        model.show(result)
        let state = DashboardPresenter.state(model, now: now, identity: "", boxes: .ascii)
        var sections = [state.status.map(\.text).joined(separator: "  ")]
        for pane in state.panes {
            sections.append("== \(pane.title)\(pane.summary.isEmpty ? "" : " (\(pane.summary))")\n" + PlainTable.render(pane.table, now: now))
        }
        return sections.joined(separator: "\n\n")
    }

    private static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
