import Foundation
import Testing
@testable import Console
@testable import MarketCore
@testable import Views

/// Every view rendered at 80×24 and 160×50 over a market whose names come from
/// ``HostileCorpus``: the frame holds no control character, every table keeps its columns, and
/// the machine outputs keep (JSON) or neutralise (CSV) what the names say.
@Suite("Hostile names")
struct HostileNamesRenderingTests {
    static let corpus = HostileCorpus.strings()

    /// The corpus in windows of `rows` names, so every string is on screen in some frame.
    static func windows(of rows: Int) -> [[String]] {
        stride(from: 0, to: corpus.count, by: rows).map { start in Array(corpus[start...] + corpus[..<start]) }
    }

    static func model(_ view: ViewKind, width: Int, height: Int, names: [String]) -> DashboardModel {
        var model = DashboardModel(initialView: view, identity: OperatorIdentity(name: "ann", role: .moderator))
        _ = model.update(.resized(width: width, height: height), now: DashboardFixture.now)
        _ = model.update(.fetched(HostileFixture.result(for: model.plan, names: names, rows: model.pageSize)), now: DashboardFixture.now)
        return model
    }

    @Test(arguments: ViewKind.allCases)
    func framesHoldNoControlCharacterAndNoHalfGrapheme(view: ViewKind) async {
        for (width, height) in ViewRenderingTests.sizes {
            for names in Self.windows(of: height - 6) {
                await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between frames
                let model = Self.model(view, width: width, height: height, names: names)
                let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode)
                let screen = DashboardScreen.render(state, width: width, height: height)
                Self.expectClean(screen, "\(view) \(width)x\(height)")
            }
        }
    }

    @Test(arguments: ViewKind.allCases)
    func everyTableRowKeepsItsColumns(view: ViewKind) async {
        for (width, height) in ViewRenderingTests.sizes {
            for names in Self.windows(of: height - 6) {
                await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between frames
                let model = Self.model(view, width: width, height: height, names: names)
                let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode)
                for pane in state.panes where !pane.table.rows.isEmpty {
                    Self.expectAligned(pane.table, width: width - 2, "\(view) \(width)x\(height) \(pane.title)")
                }
            }
        }
    }

    /// The issue's own check: in the auctions view every row ends where the header ends.
    @Test func auctionRowsEndWhereTheHeaderEnds() async throws {
        for (width, height) in ViewRenderingTests.sizes {
            for names in Self.windows(of: height - 6) {
                await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between frames
                let model = Self.model(.auctions, width: width, height: height, names: names)
                let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode)
                let screen = DashboardScreen.render(state, width: width, height: height)
                let header = try #require((0..<height).first { screen.lines[$0].contains("Time left") })
                let edge = Self.rightEdge(screen, row: header)
                let bodyRows = (header + 1)..<(height - 2)
                #expect(bodyRows.filter { !screen.lines[$0].isEmpty }.count == model.pageSize, "\(width)x\(height)")
                for row in bodyRows where !screen.lines[row].isEmpty {
                    #expect(Self.rightEdge(screen, row: row) == edge, "row \(row) at \(width)x\(height): \(screen.lines[row])")
                }
            }
        }
    }

    /// The action dialog shows names from the data too — the plan's recipients, a row holder's
    /// application and statement: every corpus string there leaves a clean frame, its box intact.
    @Test func theActionDialogShowsHostileNamesCleanly() async throws {
        for (width, height) in ViewRenderingTests.sizes {
            for name in Self.corpus {
                await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between frames
                var model = DashboardModel(initialView: .auctions, identity: OperatorIdentity(name: "mia", role: .moderator))
                _ = model.update(.resized(width: width, height: height), now: DashboardFixture.now)
                _ = model.update(.fetched(DashboardFixture.result(for: model.plan)), now: DashboardFixture.now)
                for key in ":write 10m" { _ = model.update(.key(.character(key)), now: DashboardFixture.now) }
                _ = model.update(.key(.enter), now: DashboardFixture.now)
                _ = model.update(.key(.character("x")), now: DashboardFixture.now)
                var plan = ActionSafetyTests.cancelPlan
                plan.movements = [.init(amount: 1_500_000_000, to: "\(name) (user 8)", from: "held for their top bid")]
                let holder = RowHolder(pid: 7, login: name, application: name, state: "idle in transaction",
                                       transactionStart: DashboardFixture.now, query: "SELECT '\(name)'")
                let report = PreflightReport(lockKey: plan.lockKey, lockHolder: nil, rows: plan.rows.map {
                    .init(row: $0, free: $0.table != "users", holder: $0.table == "users" ? holder : nil)
                })
                _ = model.update(.planned(plan.request, PlannedAction(plan: plan, report: report, now: DashboardFixture.now)),
                                 now: DashboardFixture.now)
                let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode)
                #expect(state.dialog != nil)
                let screen = DashboardScreen.render(state, width: width, height: height)
                Self.expectClean(screen, "dialog \(width)x\(height) with \(name.debugDescription)")
                let corners = screen.lines.filter { $0.contains("┌─ Confirm") || $0.contains("└─") }
                #expect(corners.count == 2, "the dialog's box at \(width)x\(height) with \(name.debugDescription)")
            }
        }
    }

    /// What the servers say reaches the screen too: a master's host as Sentinel names it (in the
    /// status bar and the locks view's failover line) and the reasons a server or the read pool
    /// is down. Each corpus string in all of them leaves a clean frame.
    @Test(arguments: [ViewKind.overview, .locks])
    func serverNamesAndReasonsFromTheServersShowCleanly(view: ViewKind) async {
        for (width, height) in ViewRenderingTests.sizes {
            for name in Self.corpus {
                await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between frames
                var model = DashboardModel(initialView: view, identity: OperatorIdentity(name: "oz", role: .oncall))
                _ = model.update(.resized(width: width, height: height), now: DashboardFixture.now)
                var result = DashboardFixture.result(for: model.plan)
                result.redisMaster = RedisAddress(host: name, port: 6379)
                result.lastRedisOutage = RedisOutageReport(
                    startedAt: DashboardFixture.now.addingTimeInterval(-30), endedAt: DashboardFixture.now.addingTimeInterval(-27),
                    serverBefore: RedisAddress(host: name, port: 6379), serverAfter: RedisAddress(host: "\(name)-2", port: 6380),
                    locksLost: 3, fencesRefused: 0, fallbackSeconds: 3)
                result.postgres = .down("cannot connect to PostgreSQL: \(name)")
                result.readPool = .down("read pool \(name)")
                _ = model.update(.fetched(result), now: DashboardFixture.now)
                let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode)
                let screen = DashboardScreen.render(state, width: width, height: height)
                Self.expectClean(screen, "\(view) \(width)x\(height) with \(name.debugDescription)")
                let text = screen.lines.joined(separator: "\n")
                #expect(text.contains("Redis master"), "the status bar names the master")
                if view == .locks && width >= 160 { #expect(text.contains("last failover"), "the locks view shows the failover line") }
            }
        }
    }

    @Test(arguments: ViewKind.allCases)
    func plainTablesHoldNoControlOrBidiCharacterAndKeepTheirColumns(view: ViewKind) {
        var model = DashboardModel(initialView: view)
        model.show(HostileFixture.result(for: model.plan, names: Self.corpus, rows: Self.corpus.count))
        let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .ascii)
        for pane in state.panes where !pane.table.rows.isEmpty {
            let text = PlainTable.render(pane.table, now: DashboardFixture.now)
            #expect(!text.unicodeScalars.contains { $0 != "\n" && TerminalText.needsEscape($0) }, "\(view) \(pane.title)")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == pane.table.rows.count + 1)
            if pane.table.rows.allSatisfy({ $0.cells.last?.value.isNumeric == true }) {
                #expect(Set(lines.map(\.displayWidth)).count == 1, "\(view) \(pane.title): rows end at different columns")
            }
        }
    }

    @Test func jsonKeepsEveryNameExactly() throws {
        var plan = DashboardModel(initialView: .auctions).plan
        plan.pages[.auctions] = PageRequest(sort: "ends_at", descending: false, filter: "", limit: 500)
        let result = HostileFixture.result(for: plan, names: Self.corpus, rows: Self.corpus.count)
        let document = try SnapshotJSON.document(result, now: DashboardFixture.now, compact: true)
        #expect(!document.contains("\n"), "one document per line")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let rows = try #require((object["panes"] as? [String: Any])?["auctions"] as? [[String: Any]])
        #expect(rows.compactMap { $0["gift"] as? String } == Self.corpus)
    }

    // MARK: Checks

    /// No control or invisible character in any cell; each cell as wide as a terminal draws its
    /// grapheme, so cell columns are terminal columns; every wide grapheme followed by its
    /// continuation and no continuation without one. One expectation per frame, naming the cells.
    static func expectClean(_ screen: ScreenBuffer, _ context: @autoclosure () -> String) {
        var problems: [String] = []
        let lines = screen.lines
        for row in 0..<screen.height {
            if lines[row].displayWidth > screen.width { problems.append("row \(row) is wider than the screen") }
            for column in 0..<screen.width {
                let cell = screen[column, row]
                if cell.character.unicodeScalars.contains(where: TerminalText.needsEscape) { problems.append("control at (\(column), \(row))") }
                if !cell.isContinuation && Int(cell.width) != cell.character.displayWidth { problems.append("width at (\(column), \(row))") }
                if cell.width == 2 && !(column + 1 < screen.width && screen[column + 1, row].isContinuation) {
                    problems.append("half a wide grapheme at (\(column), \(row))")
                }
                if cell.isContinuation && !(column > 0 && screen[column - 1, row].width == 2) {
                    problems.append("stray continuation at (\(column), \(row))")
                }
            }
        }
        #expect(problems.isEmpty, "\(context()): \(problems.prefix(5))")
    }

    /// Drawn alone at `width`, the gaps between columns stay blank in every row, and a table whose
    /// last column is numeric ends each row at the header's right edge.
    static func expectAligned(_ table: Table, width: Int, _ context: String) {
        let height = table.rows.count + 1
        var screen = ScreenBuffer(width: width, height: height)
        TableRenderer.draw(table, into: &screen, column: 0, row: 0, width: width, height: height, focused: true,
                           now: DashboardFixture.now, boxes: .unicode)
        expectClean(screen, context)
        let layout = TableRenderer.columnLayout(table.columns, width: width)
        var gaps: [Int] = []
        var x = 0
        for (_, columnWidth) in layout.dropLast() {
            x += columnWidth
            gaps.append(x)
            x += 1
        }
        for row in 0..<height {
            for gap in gaps where gap < width {
                #expect(screen[gap, row].character == " " && !screen[gap, row].isContinuation,
                        "\(context): row \(row) crosses column \(gap): \(screen.lines[row])")
            }
        }
        guard let last = layout.last, table.rows.allSatisfy({ $0.cells.count > last.index && $0.cells[last.index].value.isNumeric }) else { return }
        for row in 1..<height {
            #expect(rightEdge(screen, row: row) == rightEdge(screen, row: 0), "\(context): \(screen.lines[row])")
        }
    }

    /// The terminal column after the row's last visible grapheme.
    static func rightEdge(_ screen: ScreenBuffer, row: Int) -> Int {
        screen.lines[row].displayWidth
    }
}
