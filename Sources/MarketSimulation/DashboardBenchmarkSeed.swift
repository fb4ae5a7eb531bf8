import Foundation
import MarketCore

/// A market the size the dashboard must stay fast at: a million auctions (most of them live),
/// a hundred thousand pending trade proposals and ten thousand held Redis locks.
///
/// ```swift
/// try await DashboardBenchmarkSeed.seed(services: services) { print($0) }
/// ```
/// Rows are written set-based (`INSERT … SELECT generate_series`), consistent with the schema's
/// checks and with the invariant checker: every user's deposit is in the ledger, top bids of live
/// auctions, channel escrows and pending withdrawals are reserved or debited, NFT states agree
/// with their auctions and trades. Locks are taken on Redis with long leases and registered through
/// the lock registry's own script, so they show in ``LockService/heldLocks(_:)``. The rows go in as
/// one transaction whose foreign keys are checked once at its end. Meant for a fresh, idle schema
/// and Redis namespace (it takes the tables' locks while it runs); a million auctions take about
/// half a minute on two cores.
public struct DashboardBenchmarkSeed {
    /// Pending channel transfers and pending withdrawals seeded (each).
    public static let pendingTransfers = 6
    /// The lease of the seeded locks.
    public static let lockLease: Duration = .seconds(3600)

    /// Seeds `auctions` auctions, `proposals` pending proposals and `locks` held locks, calling
    /// `progress` with a line for each step.
    public static func seed(services: MarketServices, auctions: Int = 1_000_000, proposals: Int = 100_000,
                            locks: Int = 10_000, progress: @Sendable (String) -> Void) async throws {
        guard auctions >= 0, proposals >= 0, locks >= 0 else {
            throw MarketError(.invalidArgument, "the dashboard seed needs non-negative counts")
        }
        try await services.pool.withConnection { connection in
            try await withForeignKeysCheckedOnce(on: connection, progress: progress) {
                try await writeRows(on: connection, auctions: auctions, proposals: proposals, progress: progress)
            }
        }
        progress("vacuuming and analyzing…")
        for table in ["users", "ledger", "nfts", "auctions", "bids", "trades", "trade_items", "trade_proposals",
                      "trade_proposal_items", "channels", "channel_transfers", "withdrawals"] {
            _ = try await services.pool.simpleQuery("VACUUM (ANALYZE) \(table)")
        }

        try await holdLocks(locks, services: services, progress: progress)
    }

    /// Every row but the locks, in one transaction (see ``withForeignKeysCheckedOnce(on:progress:_:)``).
    private static func writeRows(on connection: PostgresConnection, auctions: Int, proposals: Int,
                                  progress: @Sendable (String) -> Void) async throws {
        let users = max(100, auctions / 10)
        let trades = proposals == 0 ? 0 : max(1, proposals / 4)
        let pending = Self.pendingTransfers
        let gifts = UnitOfWork.textArray(MarketSeeder.gifts)

        progress("seeding \(users) users with deposits…")
        let userRange = try await connection.query("""
            WITH created AS (
                INSERT INTO users (name, balance)
                SELECT (\(UnitOfWork.textArray(names))::text[])[1 + g % \(names.count)] || '_' || g, 1000000000000
                FROM generate_series(1, \(users)) AS g ORDER BY g
                RETURNING id, balance),
            posted AS (INSERT INTO ledger (account_id, delta, kind, reference)
                       SELECT id, balance, 'deposit', 'dashboard-seed' FROM created)
            SELECT min(id), max(id) FROM created
            """).rows[0]
        let firstUser = try contiguousStart(userRange, count: users, of: "users")

        progress("seeding \(auctions) auctions (19 in 20 live) with their NFTs and bids…")
        let auctionRange = try await connection.query("""
            WITH p AS (SELECT \(firstUser)::bigint AS first_user, \(users)::int AS users, \(gifts)::text[] AS gifts),
            minted AS (
                INSERT INTO nfts (gift, serial, owner_id, state)
                SELECT p.gifts[1 + g % cardinality(p.gifts)], g, \(unsafeSQL: seller("g")),
                       CASE WHEN g % 20 = 0 THEN 'owned' ELSE 'in_auction' END
                FROM p, generate_series(1, \(auctions)::bigint) AS g ORDER BY g
                RETURNING id, serial, owner_id, state),
            shaped AS (
                SELECT id AS nft_id, owner_id, (1 + serial % 50) * 100000000::bigint AS start_price, serial::bigint AS serial,
                       CASE WHEN state = 'in_auction' AND serial % 5 < 3 THEN 1 + serial % 4 ELSE 0 END AS bids,
                       state = 'in_auction' AS live, now() - make_interval(secs => (serial * 31::bigint) % 86400) AS created_at
                FROM minted),
            opened AS (
                INSERT INTO auctions (nft_id, seller_id, start_price, min_step, current_bid, current_bidder_id, bid_count,
                                      ends_at, state, created_at, updated_at)
                SELECT nft_id, owner_id, start_price, 10000000,
                       CASE WHEN bids > 0 THEN start_price + (bids - 1) * 10000000 END,
                       CASE WHEN bids > 0 THEN \(unsafeSQL: bidder(seller: "owner_id", nft: "nft_id", bid: "bids")) END,
                       bids,
                       CASE WHEN live THEN now() + make_interval(secs => 60 + (serial * 7919) % 604800)
                            ELSE created_at + interval '1 hour' END,
                       CASE WHEN live THEN 'active' ELSE 'finished' END, created_at, created_at + make_interval(mins => bids)
                FROM p, shaped
                RETURNING id)
            SELECT min(id), max(id) FROM opened
            """).rows[0]
        _ = try await connection.query("""
            WITH p AS (SELECT \(firstUser)::bigint AS first_user, \(users)::int AS users)
            INSERT INTO bids (auction_id, bidder_id, amount, created_at)
            SELECT a.id, \(unsafeSQL: bidder(seller: "a.seller_id", nft: "a.nft_id", bid: "k")),
                   a.start_price + (k - 1) * a.min_step, a.created_at + make_interval(mins => k)
            FROM p, auctions a, generate_series(1, a.bid_count) AS k
            WHERE a.id BETWEEN \(try auctionRange.decode(Int64?.self, at: 0) ?? 0) AND \(try auctionRange.decode(Int64?.self, at: 1) ?? -1)
              AND a.bid_count > 0
            """)

        progress("seeding \(trades) trades and \(proposals) pending proposals with their NFTs…")
        let tradeRange = try await connection.query("""
            WITH p AS (SELECT \(firstUser)::bigint AS first_user, \(users)::int AS users, \(gifts)::text[] AS gifts),
            opened AS (
                INSERT INTO trades (owner_id, created_at, updated_at)
                SELECT \(unsafeSQL: tradeOwner("g")), now() - make_interval(secs => 86400 + g), now() - make_interval(secs => 86400 + g)
                FROM p, generate_series(1, \(trades)) AS g ORDER BY g
                RETURNING id, owner_id),
            numbered AS (SELECT id, owner_id, row_number() OVER (ORDER BY id) AS g FROM opened),
            minted AS (
                INSERT INTO nfts (gift, serial, owner_id, state)
                SELECT p.gifts[1 + (g * 2 + k) % cardinality(p.gifts)], g * 2 + k, owner_id, 'in_trade'
                FROM p, numbered, generate_series(0, 1) AS k
                RETURNING id, serial),
            items AS (INSERT INTO trade_items (trade_id, nft_id) SELECT n.id, m.id FROM minted m JOIN numbered n ON n.g = m.serial / 2)
            SELECT min(id), max(id) FROM opened
            """).rows[0]
        // Proposal g goes to trade j = 1 + (g - 1) % trades (round robin); its proposer is never that trade's owner.
        let firstTrade = trades == 0 ? 0 : try contiguousStart(tradeRange, count: trades, of: "trades")
        _ = try await connection.query("""
            WITH p AS (SELECT \(firstUser)::bigint AS first_user, \(users)::int AS users, \(gifts)::text[] AS gifts,
                              \(firstTrade)::bigint AS first_trade, \(max(trades, 1))::int AS trades, \(proposals)::int AS proposals),
            proposed AS (
                INSERT INTO trade_proposals (trade_id, proposer_id, created_at, updated_at)
                SELECT p.first_trade + (g - 1) % p.trades,
                       p.first_user + ((\(unsafeSQL: tradeOwner("(1 + (g - 1) % p.trades)")) - p.first_user) + 1 + (g * 7) % (p.users - 1)) % p.users,
                       now() - make_interval(secs => (p.proposals - g) / 3), now() - make_interval(secs => (p.proposals - g) / 3)
                FROM p, generate_series(1, p.proposals) AS g ORDER BY g
                RETURNING id, proposer_id),
            numbered AS (SELECT id, proposer_id, row_number() OVER (ORDER BY id) AS g FROM proposed),
            minted AS (
                INSERT INTO nfts (gift, serial, owner_id, state)
                SELECT p.gifts[1 + (g * 3 + k) % cardinality(p.gifts)], g * 2 + k, proposer_id, 'in_trade'
                FROM p, numbered, generate_series(0, 1) AS k WHERE k = 0 OR g % 2 = 0
                RETURNING id, serial)
            INSERT INTO trade_proposal_items (proposal_id, nft_id)
            SELECT n.id, m.id FROM minted m JOIN numbered n ON n.g = m.serial / 2
            """)

        progress("seeding \(pending) pending channel transfers and \(pending) pending withdrawals…")
        _ = try await connection.query("""
            WITH p AS (SELECT \(firstUser)::bigint AS first_user, \(users)::int AS users),
            listed AS (
                INSERT INTO channels (owner_id, telegram_channel_id, title, price, gifts_hash, state)
                SELECT \(unsafeSQL: seller("g")), (SELECT COALESCE(max(telegram_channel_id), 0) FROM channels) + g,
                       'Gift channel ' || g, g * 2000000000::bigint, md5(g::text), 'in_transfer'
                FROM p, generate_series(1, \(pending)) AS g ORDER BY g
                RETURNING id, owner_id, price)
            INSERT INTO channel_transfers (channel_id, seller_id, buyer_id, price, commission, gateway_key, attempts,
                                           last_error, created_at, updated_at)
            SELECT id, owner_id, p.first_user + (owner_id - p.first_user + 1) % p.users, price,
                   price * \(MarketRules.default.saleCommissionBasisPoints) / 10000, 'channel-transfer:' || id || ':seed', 3,
                   'Telegram did not confirm the transfer (outcome unknown)',
                   now() - make_interval(mins => 10 * (row_number() OVER (ORDER BY id))::int), now()
            FROM p, listed
            """)
        _ = try await connection.query("""
            WITH p AS (SELECT \(firstUser)::bigint AS first_user, \(users)::int AS users),
            requested AS (
                INSERT INTO withdrawals (user_id, idempotency_key, amount, destination, attempts, last_error, created_at, updated_at)
                SELECT p.first_user + (g * 101) % p.users, 'dashboard-seed-' || g, g * 1000000000::bigint,
                       'EQ' || substr(md5('withdrawal' || g), 1, 46), 3, 'TON send timed out (outcome unknown)',
                       now() - make_interval(mins => 7 * g), now()
                FROM p, generate_series(1, \(pending)) AS g
                RETURNING id, user_id, amount)
            INSERT INTO ledger (account_id, delta, kind, reference)
            SELECT user_id, -amount, 'withdrawal', 'withdrawal:' || id FROM requested
            """)

        progress("reserving top bids and escrows, debiting withdrawals…")
        _ = try await connection.query("""
            WITH reserved AS (
                SELECT current_bidder_id AS user_id, current_bid AS amount FROM auctions
                WHERE state = 'active' AND current_bidder_id >= \(firstUser)
                UNION ALL
                SELECT buyer_id, price FROM channel_transfers WHERE state = 'pending' AND buyer_id >= \(firstUser)),
            per_user AS (SELECT user_id, sum(amount)::bigint AS held FROM reserved GROUP BY user_id),
            withdrawn AS (
                SELECT user_id, sum(amount)::bigint AS amount FROM withdrawals
                WHERE state = 'pending' AND user_id >= \(firstUser) GROUP BY user_id),
            changes AS (
                SELECT COALESCE(r.user_id, w.user_id) AS user_id, COALESCE(r.held, 0) AS held, COALESCE(w.amount, 0) AS withdrawn
                FROM per_user r FULL JOIN withdrawn w ON w.user_id = r.user_id)
            UPDATE users u SET held = c.held, balance = u.balance - c.held - c.withdrawn
            FROM changes c WHERE u.id = c.user_id
            """)

    }

    /// Runs `body` in one transaction with the schema's foreign keys dropped and adds them back
    /// before COMMIT. Adding a key checks every row in one join instead of one locked lookup per
    /// inserted row, which made the million-auction seed five times slower. A failure rolls the
    /// keys back with everything else.
    private static func withForeignKeysCheckedOnce(on connection: PostgresConnection, progress: @Sendable (String) -> Void,
                                                   _ body: () async throws -> Void) async throws {
        _ = try await connection.simpleQuery("BEGIN")
        do {
            // Names and definitions come from the catalog, quoted by the server.
            let keys = try await connection.query("""
                SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
                WHERE contype = 'f' AND connamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                ORDER BY 1, 2
                """).rows.map { row in
                (table: try row.decode(String.self, at: 0), name: try row.decode(String.self, at: 1),
                 definition: try row.decode(String.self, at: 2))
            }
            if !keys.isEmpty {
                _ = try await connection.simpleQuery(keys.map { "ALTER TABLE \($0.table) DROP CONSTRAINT \($0.name)" }
                    .joined(separator: "; "))
            }
            try await body()
            progress("checking foreign keys…")
            if !keys.isEmpty {
                _ = try await connection.simpleQuery(keys.map { "ALTER TABLE \($0.table) ADD CONSTRAINT \($0.name) \($0.definition)" }
                    .joined(separator: "; "))
            }
            _ = try await connection.simpleQuery("COMMIT")
        } catch {
            _ = try? await connection.simpleQuery("ROLLBACK")
            throw error
        }
    }

    // SQL over `p` (first_user, users): users are numbered 0..<users from first_user.

    /// The seller of auction (and channel) number `g`.
    private static func seller(_ g: String) -> String {
        "p.first_user + (\(g) * 7919) % p.users"
    }

    /// The owner of trade number `j`.
    private static func tradeOwner(_ j: String) -> String {
        "p.first_user + (\(j) * 13) % p.users"
    }

    /// The user who placed bid number `bid` on the auction of `nft` sold by `seller`: never the seller.
    private static func bidder(seller: String, nft: String, bid: String) -> String {
        "p.first_user + ((\(seller) - p.first_user) + 1 + (\(nft) * 31 + \(bid)) % (p.users - 1)) % p.users"
    }

    /// The first id of a batch inserted in one statement, checked to be contiguous (min, max of the batch).
    private static func contiguousStart(_ range: PostgresRow, count: Int, of table: String) throws -> Int64 {
        let first = try range.decode(Int64.self, at: 0)
        guard try range.decode(Int64.self, at: 1) - first + 1 == Int64(count) else {
            throw MarketError(.invalidState, "\(table) were inserted while the dashboard seed ran; seed an idle schema")
        }
        return first
    }

    private static let names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
                                "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yuki"]

    /// Takes `count` Redis locks with ``lockLease`` leases through the acquire script and registers
    /// them through the registry's script, in batches of 1,000; acquisition times spread over ten minutes.
    private static func holdLocks(_ count: Int, services: MarketServices, progress: @Sendable (String) -> Void) async throws {
        guard count > 0 else { return }
        guard let redis = services.redis, let bookkeeper = services.locks.bookkeeper else {
            throw MarketError(.invalidState, "the dashboard seed holds Redis locks, and no Redis is configured")
        }
        progress("holding \(count) Redis locks…")
        let locks = services.locks
        try await locks.syncFenceFloor()
        let kinds = [("auction:bid:", "auction.bid"), ("nft:buy:", "nft.buy"), ("trade:proposal:", "trade.accept"),
                     ("withdraw:", "withdraw")]
        let lease = LockService.milliseconds(lockLease)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for start in stride(from: 1, through: count, by: 1000) {
            let batch = start...min(start + 999, count)
            let taken = batch.map { number in
                let kind = kinds[number % kinds.count]
                return (key: kind.0 + String(number), operation: kind.1, token: randomHex(bytes: 16),
                        acquired: now - Int64((number * 7919) % 600_000))
            }
            let replies = try await redis.pipeline(taken.map { lock in
                ["EVAL", RedisArgument(LockScripts.acquire.source), "3", RedisArgument(locks.keys.lock(lock.key))]
                    + locks.fenceKeys + [RedisArgument(lock.token), RedisArgument(lease)]
            })
            var registrations: [(key: String, token: String, entry: String)] = []
            for (lock, reply) in zip(taken, replies) {
                let parts = reply.array
                guard parts.count == 2, parts[0].integer == 1, let fence = parts[1].integer else { continue }
                registrations.append((lock.key, lock.token, locks.registryEntry(
                    operation: lock.operation, fence: fence, acquiredMilliseconds: lock.acquired,
                    ttlMilliseconds: lease, token: lock.token)))
            }
            try await bookkeeper.registerNow(registrations)
        }
    }
}
