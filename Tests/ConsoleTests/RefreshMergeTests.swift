import Foundation
import Testing
@testable import Console
@testable import MarketCore

/// Every pane's rows go through one merge: a refresh that could not read a source keeps its last rows.
@Suite("Refresh merge")
struct RefreshMergeTests {
    static let approval = PendingApproval(id: 3, action: "force-complete-transfer", targetID: 7, expectedVersion: 4, reason: "buyer paid",
                                          requestedBy: "ada", state: "pending", decidedBy: nil, outcome: nil,
                                          createdAt: DashboardFixture.now.addingTimeInterval(-60))

    /// A refresh with every source read, whatever its view.
    static func everySource() -> FetchResult {
        var result = DashboardFixture.result(for: DashboardModel(initialView: .auctions).plan)
        result.auctions = Page(rows: DashboardFixture.auctions, next: nil)
        result.proposals = Page(rows: DashboardFixture.proposals, next: nil)
        result.transfers = Page(rows: DashboardFixture.transfers, next: nil)
        result.heldLocks = Page(rows: DashboardFixture.locks, next: nil)
        result.audit = Page(rows: DashboardFixture.audit, next: nil)
        result.lockWaits = DashboardFixture.lockWaits
        result.contention = DashboardFixture.contention
        result.rates = DashboardFixture.rates
        result.alerts = StuckLockDetector.alerts(locks: DashboardFixture.locks, lockWaits: DashboardFixture.lockWaits, openTransactions: [],
                                                 now: DashboardFixture.now)
        result.approvals = [approval]
        result.bids = DashboardFixture.bids
        return result
    }

    @Test func everySourceIsKeptWhenUnread() {
        let full = Self.everySource()
        let unread = FetchResult(plan: full.plan, lockMode: .redis, fetchedAt: DashboardFixture.now)
        let merged = unread.keepingRows(of: full)
        for source in PaneSource.allCases {
            #expect(full.rowCount(of: source) > unread.rowCount(of: source), "the fixture reads \(source)")
            #expect(merged.rowCount(of: source) == full.rowCount(of: source), "\(source) lost its rows")
            #expect(merged.fingerprints(of: source)?.map(\.id) == full.fingerprints(of: source)?.map(\.id), "\(source)")
        }
        #expect(merged.counts == full.counts)
        #expect(merged.bids == full.bids)
    }

    @Test func aSourceReadAgainReplacesTheKeptRows() {
        let full = Self.everySource()
        var fresh = FetchResult(plan: full.plan, lockMode: .redis, fetchedAt: DashboardFixture.now)
        fresh.approvals = []
        #expect(fresh.keepingRows(of: full).approvals == [])
    }

    /// Through the model: approvals whose read failed stay on screen (they were dropped before).
    @Test func theApprovalsViewKeepsItsRowsWhenTheirReadFails() {
        var model = DashboardModel(initialView: .approvals)
        var first = DashboardFixture.result(for: model.plan)
        first.approvals = [Self.approval]
        _ = model.update(.fetched(first), now: DashboardFixture.now)
        let failed = DashboardFixture.result(for: model.plan, fetchedAt: DashboardFixture.now.addingTimeInterval(1))
        #expect(failed.approvals == nil)
        _ = model.update(.fetched(failed), now: DashboardFixture.now.addingTimeInterval(1))
        #expect(model.data?.approvals == [Self.approval])
    }

    /// Rows kept from an earlier refresh are as old as that refresh: while a pane's read fails,
    /// the status bar's age keeps growing and turns into a warning; the next full read resets it.
    @Test func theAgeOfKeptRowsIsTheirsNotTheFailedRefreshs() {
        var model = DashboardModel(initialView: .auctions)
        let start = DashboardFixture.now
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan, fetchedAt: start)), now: start)
        let later = start.addingTimeInterval(10)
        var failed = FetchResult(plan: model.plan, lockMode: .redis, fetchedAt: later)
        failed.postgres = .down("connection refused")
        _ = model.update(.fetched(failed), now: later)
        #expect(model.data?.auctions?.rows.isEmpty == false, "the rows stay")
        let items = StatusBarPresenter.items(model, now: later, boxes: .unicode)
        #expect(items.contains { $0.text.hasPrefix("data 10.0s old") && $0.role == .warning }, "\(items)")

        let again = later.addingTimeInterval(1)
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan, fetchedAt: again)), now: again)
        #expect(StatusBarPresenter.items(model, now: again, boxes: .unicode).contains { $0.text.hasPrefix("data 0.0s old") })
    }
}
