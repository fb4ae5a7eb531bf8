import Foundation
import Testing
@testable import Console
@testable import MarketCore
import Views

/// Every view rendered from fixed rows at 80×24 and 160×50, compared as text with the files in
/// `Snapshots/` (set RECORD_SNAPSHOTS=1 to write them after a deliberate change, then review the diff).
@Suite("View rendering")
struct ViewRenderingTests {
    static let sizes = [(80, 24), (160, 50)]

    @Test(arguments: ViewKind.allCases)
    func everyViewMatchesItsSnapshotAtBothSizes(view: ViewKind) throws {
        for (width, height) in Self.sizes {
            let text = Self.render(view, width: width, height: height)
            try Self.compare(text, with: "\(view.rawValue)-\(width)x\(height)")
        }
    }

    @Test func anAuctionDetailShowsItsBidHistory() throws {
        var model = Self.model(.auctions, width: 100, height: 30)
        _ = model.update(.key(.enter), now: DashboardFixture.now)
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan)), now: DashboardFixture.now)
        let text = Self.frame(model, width: 100, height: 30)
        try Self.compare(text, with: "auction-detail-100x30")
    }

    @Test func aTerminalTooSmallAsksForMoreRoom() {
        let text = Self.render(.overview, width: 40, height: 10)
        #expect(text.contains("terminal 40×10 is too small"))
        #expect(text.contains("enlarge to 60×16"))
    }

    /// Panes read from Redis say why they are empty while Redis is down, not "no lock held".
    @Test func redisPanesSayRedisIsDownRatherThanEmpty() {
        var model = DashboardModel(initialView: .locks, identity: OperatorIdentity(name: "ann", role: .moderator))
        _ = model.update(.resized(width: 120, height: 40), now: DashboardFixture.now)
        var result = FetchResult(plan: model.plan, lockMode: .advisory, fetchedAt: DashboardFixture.now)
        result.redis = .down("Redis at 127.0.0.1:6379 is unreachable")
        result.lockWaits = []
        _ = model.update(.fetched(result), now: DashboardFixture.now)
        let text = Self.frame(model, width: 120, height: 40)
        #expect(text.contains("Redis is down: no held locks to read until it answers"))
        #expect(text.contains("Redis is down: no stuck-lock alerts to read until it answers"))
        #expect(text.contains("Redis is down: no lock statistics to read until it answers"))
        #expect(text.contains("no session waits for a lock"), "PostgreSQL's pane reads as usual")
        #expect(text.contains("locks: advisory fallback"))
    }

    @Test func theTransfersTitleShowsWhatTheReconcilerSettledInTheLastMinute() {
        var model = DashboardModel(initialView: .transfers, identity: OperatorIdentity(name: "ann", role: .admin))
        _ = model.update(.resized(width: 160, height: 50), now: DashboardFixture.now)
        var result = DashboardFixture.result(for: model.plan)
        result.counts?.settledAutomatically = 1_234
        _ = model.update(.fetched(result), now: DashboardFixture.now)
        #expect(Self.frame(model, width: 160, height: 50).contains("1,234 settled automatically in 1 min"))
        #expect(!Self.render(.transfers, width: 160, height: 50).contains("settled automatically"), "nothing said while none were")
    }

    static func model(_ view: ViewKind, width: Int, height: Int) -> DashboardModel {
        var model = DashboardModel(initialView: view, identity: OperatorIdentity(name: "ann", role: .moderator))
        _ = model.update(.resized(width: width, height: height), now: DashboardFixture.now)
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan)), now: DashboardFixture.now)
        return model
    }

    static func render(_ view: ViewKind, width: Int, height: Int) -> String {
        frame(model(view, width: width, height: height), width: width, height: height)
    }

    static func frame(_ model: DashboardModel, width: Int, height: Int) -> String {
        let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode)
        return DashboardScreen.render(state, width: width, height: height).text
    }

    static func compare(_ text: String, with name: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Snapshots").appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (text + "\n").write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text + "\n" == expected, "\(name) differs from Snapshots/\(name).txt")
    }
}
