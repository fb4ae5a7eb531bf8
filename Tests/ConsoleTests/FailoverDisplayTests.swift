import Foundation
import Testing
@testable import Console
@testable import MarketCore

/// Under Sentinel the status bar names the master, and the locks view says what the last failover cost.
@Suite("Failover display")
struct FailoverDisplayTests {
    @Test func theStatusBarNamesTheMasterAndTheLocksViewTheLastFailoversCost() throws {
        var model = DashboardModel(initialView: .locks, identity: OperatorIdentity(name: "mia_ops", role: .moderator))
        var result = DashboardFixture.result(for: model.plan)
        result.redisMaster = RedisAddress(host: "10.0.0.2", port: 6380)
        result.lastRedisOutage = RedisOutageReport(
            startedAt: DashboardFixture.now.addingTimeInterval(-60), endedAt: DashboardFixture.now.addingTimeInterval(-56.9),
            serverBefore: RedisAddress(host: "10.0.0.1", port: 6379), serverAfter: RedisAddress(host: "10.0.0.2", port: 6380),
            locksLost: 12, fencesRefused: 2, fallbackSeconds: 3.1)
        var refused = LockPrefixStats(prefix: "auction:bid")
        refused.fenceRefused = 2
        result.contention = (result.contention ?? []) + [refused]
        _ = model.update(.fetched(result), now: DashboardFixture.now)
        let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode)

        #expect(state.status.first { $0.text.contains("Redis") }?.text == "● Redis master 10.0.0.2:6380")
        let summary = try #require(state.panes.first { $0.title == "Held Redis locks" }).summary
        #expect(summary.contains("2 fences refused in 60s"), "\(summary)")
        #expect(summary.contains("last failover 10.0.0.1:6379 → 10.0.0.2:6380 at 07:59:00 UTC: 12 locks lost, 2 fences refused, 3.1 s on the fallback"),
                "\(summary)")
    }

    @Test func withoutSentinelTheRedisItemIsUnchanged() {
        var model = DashboardModel(initialView: .locks, identity: OperatorIdentity(name: "mia_ops", role: .moderator))
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan)), now: DashboardFixture.now)
        let state = DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode)
        #expect(state.status.contains { $0.text == "● Redis" })
        #expect(!state.panes.contains { $0.summary.contains("failover") })
    }
}
