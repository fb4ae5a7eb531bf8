extension Migration {
    /// Indexes for the console's read models (``DashboardQueries``) that V1's do not already give.
    ///
    /// Live auctions and pending proposals sorted by id: in a market that has run for a while most
    /// auctions are finished and most proposals resolved, and an id-ordered page would walk the
    /// primary key past all of them. Both indexes cover columns a bid never writes (`id`, and
    /// `state` in the predicate, already in V1's partial indexes), so bids keep their HOT updates.
    /// The default orders (`ends_at`, `created_at`) and the counts use V1's partial indexes.
    static let v3Dashboard = Migration(version: 3, name: "dashboard read models", sql: """
        CREATE INDEX auctions_active_id ON auctions (id) WHERE state = 'active';
        CREATE INDEX trade_proposals_pending_id ON trade_proposals (id) WHERE state = 'pending';
        """)
}
