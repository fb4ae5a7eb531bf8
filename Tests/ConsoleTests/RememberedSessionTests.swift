import Foundation
import Testing
@testable import Console

/// The view and sorts come back on the next run; filters do not.
@Suite("Remembered view and sorts")
struct RememberedSessionTests {
    static func temporaryPath() -> String {
        NSTemporaryDirectory() + "mc-session-\(UUID().uuidString)/market-console/session.json"
    }

    @Test func aSortChosenWithKeysComesBackInTheNextRunsModel() throws {
        var model = DashboardModel(initialView: .auctions)
        _ = model.update(.resized(width: 120, height: 40), now: Date())
        _ = model.update(.key(.character("4")), now: Date())  // Current bid
        _ = model.update(.key(.character("4")), now: Date())  // … descending
        _ = model.update(.key(.character("/")), now: Date())
        for character in "pepe" { _ = model.update(.key(.character(character)), now: Date()) }
        _ = model.update(.key(.enter), now: Date())
        #expect(model.panes[.auctions]!.filter == "pepe")

        let path = Self.temporaryPath()
        try model.remembered.save(to: path)
        let (session, problem) = RememberedSession.load(from: path)
        #expect(problem == nil)
        var next = DashboardModel(initialView: session.view.flatMap(ViewKind.init(rawValue:)) ?? .overview)
        next.restoreSorts(from: session)
        #expect(next.view == .auctions)
        #expect(next.panes[.auctions]!.sort == "current_bid")
        #expect(next.panes[.auctions]!.descending)
        #expect(next.panes[.auctions]!.filter == "", "a filter is not remembered")
        #expect(next.panes[.audit]!.sort == PaneSource.audit.defaultSort.key)
    }

    @Test func sortsThisVersionDoesNotKnowAreSkipped() {
        var model = DashboardModel()
        model.restoreSorts(from: RememberedSession(view: "nowhere", sorts: [
            "auctions": .init(key: "no_such_column", descending: true),
            "nonsense": .init(key: "id", descending: true),
            "lockWaits": .init(key: "id", descending: true),
            "proposals": .init(key: "owner", descending: true),
        ]))
        #expect(model.panes[.auctions]!.sort == "ends_at")
        #expect(!model.panes[.auctions]!.descending)
        #expect(model.panes[.proposals]!.sort == "owner")
    }

    @Test func noFileIsAFreshStartAndABrokenOneSaysSo() throws {
        let missing = RememberedSession.load(from: Self.temporaryPath())
        #expect(missing.0 == RememberedSession())
        #expect(missing.problem == nil)

        let path = Self.temporaryPath()
        try RememberedSession().save(to: path)
        try Data("{\"view\": 3".utf8).write(to: URL(fileURLWithPath: path))
        let broken = RememberedSession.load(from: path)
        #expect(broken.0 == RememberedSession())
        #expect(broken.problem?.hasPrefix("\(path) could not be read") == true)
    }

    @Test func theStateDirectoryFollowsXDG() {
        #expect(RememberedSession.defaultPath(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/market-console/session.json")
        #expect(RememberedSession.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/state/market-console/session.json")
    }
}
