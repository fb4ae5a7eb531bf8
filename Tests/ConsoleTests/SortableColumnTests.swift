import Testing
@testable import Console
@testable import MarketCore

/// A column the console lets the operator sort by is one the core can sort by.
@Suite("Sortable columns")
struct SortableColumnTests {
    @Test(arguments: [(PaneSource.auctions, LiveAuction.source.sorts.map(\.key)),
                      (.proposals, PendingProposal.source.sorts.map(\.key)),
                      (.transfers, PendingTransfer.source.sorts.map(\.key)),
                      (.audit, AuditEntry.source.sorts.map(\.key)),
                      (.heldLocks, ["acquired_at", "key"])])
    func everySortKeyOfAPaneIsOneItsSourceAccepts(source: PaneSource, accepted: [String]) {
        let offered = DashboardPresenter.columns(of: source).compactMap(\.sortKey)
        #expect(Set(offered).isSubset(of: accepted), "\(source) offers \(offered); the core sorts by \(accepted)")
        #expect(offered.contains(source.defaultSort.key))
    }
}
