import MarketCore

extension FetchResult {
    /// Replaces a section's count with its rows when one page holds them all.
    ///
    /// The table counts can be up to ``DashboardQueries/countsMaxAge`` old, so on a quiet section a
    /// title could say "1 pending" over "no pending proposals". A first, unfiltered page with no
    /// next page (on the overview: fewer rows than it asked for) has every row of its section, read
    /// in this very refresh: its length is the exact count.
    mutating func countRowsOfCompletePages() {
        guard var counts else { return }
        if let rows = completeRows(of: .auctions, auctions) { counts.liveAuctions = rows.count }
        if let rows = completeRows(of: .proposals, proposals) { counts.pendingProposals = rows.count }
        if let rows = completeRows(of: .transfers, transfers) {
            counts.pendingTransfers = rows.count { $0.kind == .channel }
            counts.pendingWithdrawals = rows.count { $0.kind == .withdrawal }
        }
        self.counts = counts
    }

    private func completeRows<Row>(of source: PaneSource, _ page: Page<Row>?) -> [Row]? {
        guard let page else { return nil }
        if plan.view == .overview { return page.rows.count < plan.overviewRows ? page.rows : nil }
        guard let request = plan.pages[source], request.after == nil, request.filter.isEmpty, page.next == nil else { return nil }
        return page.rows
    }
}
