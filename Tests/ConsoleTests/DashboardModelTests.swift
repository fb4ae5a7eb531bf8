import Foundation
import Testing
@testable import Console
@testable import MarketCore
import Views

/// The update loop driven key by key, with no terminal and no servers.
@Suite("Dashboard update loop")
struct DashboardModelTests {
    let now = DashboardFixture.now

    func loaded(_ view: ViewKind) -> DashboardModel {
        ViewRenderingTests.model(view, width: 120, height: 40)
    }

    func type(_ text: String, into model: inout DashboardModel) -> [DashboardEffect] {
        text.flatMap { model.update(.key(.character($0)), now: now) }
    }

    @Test func theCommandLineCompletesAndSwitchesViews() {
        var model = loaded(.overview)
        _ = type(":loc", into: &model)
        #expect(model.input == .command("loc"))
        _ = model.update(.key(.tab), now: now)
        #expect(model.input == .command("locks"))
        let effects = model.update(.key(.enter), now: now)
        #expect(model.view == .locks)
        #expect(model.input == nil)
        #expect(effects == [.refreshNow])
    }

    @Test func anUnknownCommandSaysWhatExists() {
        var model = loaded(.overview)
        _ = type(":bogus", into: &model)
        _ = model.update(.key(.enter), now: now)
        #expect(model.view == .overview)
        #expect(model.message?.text.hasPrefix("unknown command :bogus — views: overview, auctions") == true)
    }

    @Test func filteringAsksForMatchingRowsAndEscRestoresThePreviousFilter() {
        var model = loaded(.auctions)
        _ = type("/pepe", into: &model)
        #expect(model.plan.pages[.auctions]?.filter == "pepe")
        _ = model.update(.key(.escape), now: now)
        #expect(model.plan.pages[.auctions]?.filter == "")
        _ = type("/cap", into: &model)
        _ = model.update(.key(.enter), now: now)
        #expect(model.plan.pages[.auctions]?.filter == "cap")
        _ = model.update(.key(.escape), now: now)
        #expect(model.plan.pages[.auctions]?.filter == "", "Esc outside the input clears the filter")
    }

    @Test func aColumnKeySortsByItAndAgainReverses() {
        var model = loaded(.auctions)
        _ = type("4", into: &model)
        #expect(model.plan.pages[.auctions]?.sort == "current_bid")
        #expect(model.plan.pages[.auctions]?.descending == false)
        _ = type("4", into: &model)
        #expect(model.plan.pages[.auctions]?.descending == true)
        _ = type("5", into: &model)
        #expect(model.plan.pages[.auctions]?.sort == "current_bid", "column 5 (bidder) cannot be sorted")
        #expect(model.message?.text.contains("column 5 cannot be sorted") == true)
    }

    @Test func movingPastTheLastRowAsksForTheNextPageAndBackComesBack() throws {
        var model = DashboardModel(initialView: .auctions)
        _ = model.update(.resized(width: 120, height: 40), now: now)
        let cursor = try #require(PageCursor.fixture)
        var result = DashboardFixture.result(for: model.plan)
        result.auctions?.next = cursor
        _ = model.update(.fetched(result), now: now)
        for _ in 0..<2 { _ = model.update(.key(.character("j")), now: now) }
        #expect(model.panes[.auctions]?.selectedIndex == 2)
        #expect(model.plan.pages[.auctions]?.after == nil)
        let effects = model.update(.key(.character("j")), now: now)
        #expect(model.plan.pages[.auctions]?.after == cursor)
        #expect(effects == [.refreshNow])
        _ = model.update(.key(.character("k")), now: now)
        #expect(model.plan.pages[.auctions]?.after == nil)
    }

    @Test func aResultForAnotherPlanIsDropped() {
        var model = loaded(.auctions)
        var other = DashboardFixture.result(for: model.plan)
        other.plan.view = .proposals
        other.auctions = Page(rows: [], next: nil)
        _ = model.update(.fetched(other), now: now)
        #expect(model.data?.auctions?.rows.count == 3)
    }

    @Test func changedAndNewRowsFlashThenSettle() {
        var model = loaded(.auctions)
        var result = DashboardFixture.result(for: model.plan)
        result.auctions?.rows[0].currentBid = 2_000_000_000
        result.auctions?.rows.append(LiveAuction(id: 45, nftID: 450, gift: "Loot Bag #1", sellerID: 7, seller: "alice",
                                                 startPrice: 1, currentBid: nil, bidderID: nil, bidder: nil, bids: 0,
                                                 endsAt: now.addingTimeInterval(99), version: 1, updatedAt: now))
        _ = model.update(.fetched(result), now: now)
        #expect(model.flash(for: .auctions, id: "42", now: now) == .changed)
        #expect(model.flash(for: .auctions, id: "45", now: now) == .added)
        #expect(model.flash(for: .auctions, id: "43", now: now) == nil)
        #expect(model.flash(for: .auctions, id: "42", now: now.addingTimeInterval(2)) == nil)
    }

    @Test func theSelectionFollowsItsRowWhenRowsMove() {
        var model = loaded(.auctions)
        _ = model.update(.key(.character("j")), now: now)
        #expect(model.panes[.auctions]?.selectedID == "43")
        var result = DashboardFixture.result(for: model.plan)
        result.auctions?.rows.reverse()
        _ = model.update(.fetched(result), now: now)
        #expect(model.panes[.auctions]?.selectedIndex == 1)
        #expect(model.panes[.auctions]?.selectedID == "43")
    }

    @Test func helpOpensAndClosesAndQuitQuits() {
        var model = loaded(.overview)
        _ = model.update(.key(.character("?")), now: now)
        #expect(model.showingHelp)
        #expect(model.update(.key(.character("q")), now: now) == [], "q closes the help first")
        #expect(!model.showingHelp)
        #expect(model.update(.key(.character("q")), now: now) == [.quit])
    }

    @Test func theRefreshIntervalStaysWithinItsLimits() {
        var model = loaded(.overview)
        for _ in 0..<10 { _ = model.update(.key(.character("+")), now: now) }
        #expect(model.refreshInterval == DashboardModel.minimumRefresh)
        for _ in 0..<20 { _ = model.update(.key(.character("-")), now: now) }
        #expect(model.refreshInterval == DashboardModel.maximumRefresh)
    }

    @Test func pausingStopsAndResumingRefreshesAtOnce() {
        var model = loaded(.overview)
        #expect(model.update(.key(.character(" ")), now: now) == [])
        #expect(model.paused)
        #expect(model.update(.key(.character(" ")), now: now) == [.refreshNow])
    }

    @Test func theKeyHintsAndHelpComeFromTheKeyMap() {
        let help = KeyMap.standard.help
        #expect(help.first == HelpOverlay.Entry(keys: "j ↓", description: "move down"))
        #expect(help.contains(HelpOverlay.Entry(keys: "1-9", description: "sort by column 1–9 (again: reverse)")))
        #expect(KeyMap.standard.hints.map(\.key) == ["?", "q", ":", "/", "Enter", "1-9", "Esc", "Space"])
    }

    @Test func aRaisedBidShowsAnArrowAndAVanishedRowShowsStruckForAMoment() {
        var model = loaded(.auctions)
        var result = DashboardFixture.result(for: model.plan, fetchedAt: now)
        result.auctions?.rows[0].currentBid = 2_000_000_000
        result.auctions?.rows.removeLast()
        _ = model.update(.fetched(result), now: now)
        let rows = DashboardPresenter.state(model, now: now, boxes: .unicode).panes[0].table.rows
        #expect(rows[0].cells[3] == .number("2 TON ↑"))
        #expect(rows.last?.id == "removed:44")
        #expect(rows.last?.role == .removed)
        let later = DashboardPresenter.state(model, now: now.addingTimeInterval(2), boxes: .unicode).panes[0].table.rows
        #expect(!later.contains { $0.id.hasPrefix("removed:") })
    }
}
