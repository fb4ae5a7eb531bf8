import Foundation
import MarketCore

/// Seeds a realistic market in one go: users with deposits, NFTs, listings, running auctions,
/// trades with proposals, listed channels and a presale — every row consistent with the ledger.
struct MarketSeeder {
    let market: Market
    let configuration: SimulationConfiguration

    static let gifts = ["Plush Pepe", "Durov's Cap", "Precious Peach", "Heart Locket", "Eternal Rose", "Signet Ring",
                        "Swiss Watch", "Astral Shard", "Loot Bag", "Toy Bear", "Magic Potion", "Vintage Cigar"]

    /// The seeded id ranges the traffic picks from.
    struct Seeded: Sendable {
        let firstUser: Int64
        let lastUser: Int64
        let presale: Int64
        let hotAuction: Int64
    }

    func seed(progress: (String) -> Void) async throws -> Seeded {
        let pool = market.services.pool
        let users = configuration.users
        progress("seeding \(users) users with deposits…")
        let range = try await pool.query("""
            WITH created AS (
                INSERT INTO users (name, balance)
                SELECT 'sim-' || g, (100 + (g * 7919) % 900)::bigint * 1000000000 FROM generate_series(1, \(users)) AS g
                RETURNING id, balance)
            , posted AS (INSERT INTO ledger (account_id, delta, kind, reference) SELECT id, balance, 'deposit', 'seed' FROM created)
            SELECT min(id), max(id) FROM created
            """).rows[0]
        let firstUser = try range.decode(Int64.self, at: 0)
        let lastUser = try range.decode(Int64.self, at: 1)
        let nfts = users * configuration.nftsPerUser
        progress("seeding \(nfts) NFTs, listings and auctions…")
        _ = try await pool.query("""
            INSERT INTO nfts (gift, serial, owner_id)
            SELECT (\(UnitOfWork.textArray(Self.gifts))::text[])[1 + g % \(Self.gifts.count)], g, \(firstUser) + g % \(users)
            FROM generate_series(1, \(nfts)) AS g
            """)
        // Another process's traffic may already act on these NFTs (a second `simulate` on a running
        // market): list and auction only those still owned, and skip any it has locked right now.
        _ = try await pool.query("""
            UPDATE nfts SET state = 'listed', price = (1 + id % 20) * 500000000
            WHERE id % 5 = 0 AND owner_id BETWEEN \(firstUser) AND \(lastUser) AND state = 'owned'
            """)
        let hot = try await pool.query("""
            WITH picked AS (
                SELECT id, owner_id FROM nfts
                WHERE id % 5 = 1 AND id % 3 = 0 AND owner_id BETWEEN \(firstUser) AND \(lastUser) AND state = 'owned'
                ORDER BY id LIMIT \(max(50, users / 8)) FOR UPDATE SKIP LOCKED),
            started AS (
                INSERT INTO auctions (nft_id, seller_id, start_price, min_step, ends_at)
                SELECT id, owner_id, (1 + id % 10) * 100000000, 10000000,
                       -- As SimulationConfiguration.auctionLength: a share ending within minutes, the rest up to a day;
                       -- some within the first two minutes, where the traffic's bids gather (biddingWindow).
                       now() + make_interval(secs => CASE WHEN (id / 15) % 10 < 3 THEN 30 + (id * 37) % 570
                                                          WHEN (id / 15) % 10 < 6 THEN 600 + (id * 37) % 3000
                                                          WHEN (id / 15) % 10 < 8 THEN 3600 + (id * 7919) % 18000
                                                          ELSE 21600 + (id * 7919) % 64800 END)
                FROM picked RETURNING id, nft_id)
            , marked AS (UPDATE nfts SET state = 'in_auction' WHERE id IN (SELECT nft_id FROM started))
            SELECT min(id) FROM started
            """).rows[0].decode(Int64.self, at: 0)
        _ = try await pool.query("""
            UPDATE auctions SET ends_at = now() + make_interval(secs => \(configuration.hotAuctionLength.seconds)), version = version + 1
            WHERE id = \(hot)
            """)
        progress("seeding channels, trades and a presale…")
        for index in 0..<configuration.channels {
            let owner = firstUser + Int64(index * 13 % users)
            _ = try await market.listChannel(owner: owner, telegramChannel: 10_000_000 + Int64(index) + firstUser * 100_000,
                                             title: "Gift channel \(index)", price: Int64(2 + index % 9) * TON.nano)
        }
        let presale = try await Self.openPresale(pool, supply: configuration.presaleNFTs)
        return Seeded(firstUser: firstUser, lastUser: lastUser, presale: presale, hotAuction: hot)
    }
}

extension MarketSeeder {
    /// The collections presales drop, one after another.
    static let presaleGifts = ["Genesis Star", "Lunar Lantern", "Comet Charm", "Aurora Bell"]

    /// Opens a presale of `supply` NFTs at 0.5 TON, of the next collection in turn.
    static func openPresale(_ pool: PostgresPool, supply: Int) async throws -> Int64 {
        try await pool.query("""
            INSERT INTO presales (gift, price, supply)
            SELECT (\(UnitOfWork.textArray(presaleGifts))::text[])[1 + count(*) % \(presaleGifts.count)], 500000000, \(supply)
            FROM presales RETURNING id
            """).rows[0].decode(Int64.self, at: 0)
    }
}
