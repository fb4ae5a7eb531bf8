extension Migration {
    /// Every locked Unit of Work updates its key's row in `lock_fences`. An index on `fence` made
    /// each of those updates write new index entries (no heap-only update); nothing needs it any
    /// more: an advisory fence is raised above its own key's committed fence (a primary-key
    /// lookup), and the global maximum is read only when Redis' counter is resynchronised.
    /// Free space per page lets these updates, and those of a bid to its auction, stay on their page.
    static let v5FenceUpdates = Migration(version: 5, name: "heap-only fence updates", sql: """
        DROP INDEX lock_fences_fence;
        ALTER TABLE lock_fences SET (fillfactor = 70);
        ALTER TABLE auctions SET (fillfactor = 85);
        """)
}
