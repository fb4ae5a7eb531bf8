import MarketCore

/// A market for the bid benchmarks: rich bidders and many running auctions.
public struct AuctionBenchmarkSeed: Sendable {
    public let bidders: [Int64]
    public let auctions: [Int64]
    /// Every auction starts at this price and steps by ``step``.
    public let startPrice: Int64 = 100_000_000
    public let step: Int64 = 1_000_000

    /// Seeds `auctions` active auctions (one hour left) of one seller and `bidders` users with
    /// 1,000,000 TON each, deposits in the ledger.
    public static func seed(_ pool: PostgresPool, auctions: Int, bidders: Int) async throws -> AuctionBenchmarkSeed {
        let users = try await pool.query("""
            WITH created AS (
                INSERT INTO users (name, balance) SELECT 'bench-' || g, 1000000000000000 FROM generate_series(0, \(bidders)) AS g
                RETURNING id, balance),
            posted AS (INSERT INTO ledger (account_id, delta, kind, reference) SELECT id, balance, 'deposit', 'bench' FROM created)
            SELECT id FROM created ORDER BY id
            """).rows.map { try $0.decode(Int64.self, at: 0) }
        let seller = users[0]
        let created = try await pool.query("""
            WITH minted AS (
                INSERT INTO nfts (gift, serial, owner_id, state) SELECT 'Bench Gift', g, \(seller), 'in_auction'
                FROM generate_series(1, \(auctions)) AS g RETURNING id)
            INSERT INTO auctions (nft_id, seller_id, start_price, min_step, ends_at)
            SELECT id, \(seller), 100000000, 1000000, now() + interval '1 hour' FROM minted RETURNING id
            """).rows.map { try $0.decode(Int64.self, at: 0) }
        return AuctionBenchmarkSeed(bidders: Array(users.dropFirst()), auctions: created)
    }

    /// The lowest bid `auction` takes now (its top bid plus a step, or its start price), read
    /// without a lock: a faster rival can make it too low by the time it is placed.
    public static func minimumBid(_ pool: PostgresPool, auction: Int64) async throws -> Int64 {
        try await pool.query("SELECT COALESCE(current_bid + min_step, start_price) FROM auctions WHERE id = \(auction)")
            .rows[0].decode(Int64.self, at: 0)
    }
}
