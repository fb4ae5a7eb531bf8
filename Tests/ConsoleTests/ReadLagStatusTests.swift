import Foundation
import Testing
@testable import Console
@testable import MarketCore
import Views

/// The status bar says where page reads go when a read URL is set: the standby's replay lag, or
/// a warning when the read URL led to a primary; nothing without a read URL.
@Suite("Read pool in the status bar")
struct ReadLagStatusTests {
    private func items(_ lag: ReadReplicaLag?, readPool: ServerHealth = .notConfigured) -> [StatusItem] {
        var model = DashboardModel(initialView: .auctions)
        var result = DashboardFixture.result(for: model.plan, fetchedAt: DashboardFixture.now)
        result.readLag = lag
        result.readPool = readPool
        _ = model.update(.fetched(result), now: DashboardFixture.now)
        return StatusBarPresenter.items(model, now: DashboardFixture.now, boxes: .unicode)
    }

    @Test func aStandbyShowsItsReplayLag() {
        #expect(items(ReadReplicaLag(isStandby: true, seconds: 0.3)).contains(StatusItem("standby lag 0.3s", role: .good)))
        #expect(items(ReadReplicaLag(isStandby: true, seconds: 12)).contains(StatusItem("standby lag 12.0s", role: .warning)))
    }

    @Test func aReadURLThatLedToAPrimaryIsAWarning() {
        #expect(items(ReadReplicaLag(isStandby: false, seconds: nil)).contains(StatusItem("reads: primary (no standby)", role: .warning)))
    }

    /// The read pool down is not PostgreSQL down: the primary's item stays good, and the reason
    /// names the read pool.
    @Test func aReadPoolThatIsDownIsNamedApartFromThePrimary() {
        let shown = items(nil, readPool: .down("cannot connect to PostgreSQL: connection refused"))
        #expect(shown.contains(StatusItem("● read pool DOWN", role: .critical)), "\(shown)")
        #expect(shown.contains(StatusItem("● PostgreSQL", role: .good)), "\(shown)")
        #expect(shown.contains(StatusItem("read pool: cannot connect to PostgreSQL: connection refused", role: .critical)))
        #expect(!shown.contains { $0.text.contains("PostgreSQL DOWN") || $0.text.hasPrefix("standby lag") })
    }

    @Test func withoutAReadURLNothingIsShown() {
        #expect(!items(nil).contains { $0.text.contains("standby") || $0.text.hasPrefix("reads:") })
    }
}
