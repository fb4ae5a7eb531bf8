import Testing
@testable import MarketCore

/// A market seeded by SQL in a fresh schema, so each test can break one invariant on purpose.
private struct SQLMarket {
    let pool: PostgresPool

    static func run(_ body: (SQLMarket) async throws -> Void) async throws {
        try await TestServers.withServices { services in try await body(SQLMarket(pool: services.pool)) }
    }

    /// Runs fixed SQL text (several statements allowed).
    func sql(_ text: String) async throws {
        _ = try await pool.simpleQuery(text)
    }

    /// A user with `deposit` nanoTON deposited the way the market does it: a ledger row and the balance.
    func user(_ id: Int64, _ name: String, deposit: Int64 = 0) async throws {
        _ = try await pool.query("INSERT INTO users (id, name, balance) VALUES (\(id), \(name), \(deposit))")
        if deposit > 0 {
            _ = try await pool.query("""
                INSERT INTO ledger (account_id, delta, kind, reference) VALUES (\(id), \(deposit), 'deposit', \("seed:\(id)"))
                """)
        }
    }

    /// Drops a table's constraints of one kind (`c` check, `u` unique) so a test can store rows the
    /// schema would refuse — the checker must catch them even when a constraint has gone missing.
    func dropConstraints(on table: String, kind: String) async throws {
        let names = try await pool.query("""
            SELECT conname FROM pg_constraint WHERE conrelid = \(table)::regclass AND contype = \(kind)
            """).rows.map { try $0.decode(String.self, at: 0) }
        for name in names {
            try await sql("ALTER TABLE \(table) DROP CONSTRAINT \"\(name)\"")
        }
    }

    func violations() async throws -> [InvariantViolation] {
        try await InvariantChecker(pool: pool).check()
    }
}

@Suite("Invariant checker")
struct InvariantCheckerTests {
    @Test func aFreshlyMigratedMarketIsClean() async throws {
        try await SQLMarket.run { market in
            let violations = try await market.violations()
            #expect(violations == [])
        }
    }

    @Test func everyInvariantHasAnID() {
        #expect(InvariantChecker.invariants == ["ledger-total", "user-balance", "held-total", "nft-owner-state",
                                                "presale-oversold", "withdrawal-key-unique", "auction-bid", "channel-transfer"])
    }

    @Test func aConsistentLittleMarketIsClean() async throws {
        try await SQLMarket.run { market in
            try await market.user(1, "ana", deposit: 100)
            try await market.user(2, "bo")
            try await market.user(3, "cy", deposit: 50)
            try await market.sql("""
                -- ana holds 30 as the top bid of an active auction of bo's NFT.
                INSERT INTO nfts (id, gift, owner_id, state) VALUES (1, 'Plush Pepe', 2, 'in_auction');
                INSERT INTO auctions (id, nft_id, seller_id, start_price, min_step, current_bid, current_bidder_id, bid_count, ends_at)
                    VALUES (1, 1, 2, 10, 1, 30, 1, 1, now() + interval '1 hour');
                INSERT INTO bids (auction_id, bidder_id, amount) VALUES (1, 1, 30);
                UPDATE users SET balance = balance - 30, held = held + 30 WHERE id = 1;
                -- bo lists one NFT and offers another in an open trade; ana proposes hers.
                INSERT INTO nfts (id, gift, owner_id, state, price) VALUES (2, 'Loot Bag', 2, 'listed', 40);
                INSERT INTO nfts (id, gift, owner_id, state) VALUES (3, 'Cake', 2, 'in_trade'), (4, 'Hat', 1, 'in_trade');
                INSERT INTO trades (id, owner_id) VALUES (1, 2);
                INSERT INTO trade_items (trade_id, nft_id) VALUES (1, 3);
                INSERT INTO trade_proposals (id, trade_id, proposer_id) VALUES (1, 1, 1);
                INSERT INTO trade_proposal_items (proposal_id, nft_id) VALUES (1, 4);
                -- cy buys bo's channel (20 in escrow) and offers 5 for the listed NFT.
                INSERT INTO channels (id, owner_id, telegram_channel_id, title, price, state) VALUES (1, 2, 1001, 'news', 20, 'in_transfer');
                INSERT INTO channel_transfers (channel_id, seller_id, buyer_id, price, commission, gateway_key)
                    VALUES (1, 2, 3, 20, 1, 'ct-1');
                INSERT INTO offers (nft_id, buyer_id, amount) VALUES (2, 3, 5);
                UPDATE users SET balance = balance - 25, held = held + 25 WHERE id = 3;
                -- cy bought an NFT from bo for 10: bo gets 9, the platform 1.
                INSERT INTO nfts (id, gift, owner_id) VALUES (5, 'Star', 3);
                INSERT INTO ledger (account_id, delta, kind, reference) VALUES (3, -10, 'purchase', 'buy-5'), (2, 9, 'sale', 'buy-5'),
                    (0, 1, 'commission', 'buy-5');
                UPDATE users SET balance = balance - 10 WHERE id = 3;
                UPDATE users SET balance = balance + 9 WHERE id = 2;
                UPDATE users SET balance = balance + 1 WHERE id = 0;
                -- ana withdraws 10 (pending), and an earlier try of 5 failed and was refunded.
                INSERT INTO withdrawals (user_id, idempotency_key, amount, destination) VALUES (1, 'w-1', 10, 'EQ-ana');
                INSERT INTO withdrawals (user_id, idempotency_key, amount, destination, state) VALUES (1, 'w-0', 5, 'EQ-ana', 'failed');
                INSERT INTO ledger (account_id, delta, kind, reference) VALUES (1, -10, 'withdrawal', 'w-1'),
                    (1, -5, 'withdrawal', 'w-0'), (1, 5, 'withdrawal_refund', 'w-0');
                UPDATE users SET balance = balance - 10 WHERE id = 1;
                INSERT INTO presales (gift, price, supply, sold) VALUES ('Rocket', 3, 10, 10);
                """)
            #expect(try await market.violations() == [])
        }
    }

    @Test func aLedgerRowWithoutAMatchingMovementBreaksTheLedgerTotal() async throws {
        try await SQLMarket.run { market in
            try await market.user(1, "ana")
            // A sale credited with no buyer debited: the user's own books agree, the whole ledger does not.
            try await market.sql("""
                INSERT INTO ledger (account_id, delta, kind, reference) VALUES (1, 5, 'sale', 'ghost');
                UPDATE users SET balance = 5 WHERE id = 1;
                """)
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["ledger-total"])
            let message = try #require(violations.first?.message)
            #expect(message == "ledger sum is 5 but deposits 0 − pending/sent withdrawals 0 = 0 (difference 5)")
            #expect(violations.first?.rows == ["ledger kind=sale rows=1 sum=5"])
        }
    }

    @Test func aBalanceWithoutLedgerRowsBreaksUserBalance() async throws {
        try await SQLMarket.run { market in
            try await market.sql("INSERT INTO users (id, name, balance) VALUES (1, 'ana', 5)")
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["user-balance"])
            #expect(violations.first?.message == "user 1: balance 5 + held 0 = 5 but ledger sum is 0")
            #expect(violations.first?.rows == ["users id=1 name=ana balance=5 held=0 deleted_at=NULL",
                                               "ledger account_id=1 rows=0 sum=0"])
        }
    }

    @Test func aNegativeBalanceBreaksUserBalanceEvenWhenTheLedgerAgrees() async throws {
        try await SQLMarket.run { market in
            try await market.dropConstraints(on: "users", kind: "c")
            try await market.user(1, "ana")
            try await market.user(2, "bo")
            try await market.sql("""
                INSERT INTO ledger (account_id, delta, kind, reference) VALUES (1, -5, 'purchase', 'p'), (2, 5, 'sale', 'p');
                UPDATE users SET balance = -5 WHERE id = 1;
                UPDATE users SET balance = 5 WHERE id = 2;
                """)
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["user-balance"])
            #expect(violations.first?.message == "user 1: balance -5 is negative")
        }
    }

    @Test func heldMoneyWithoutABidOfferOrEscrowBreaksHeldTotal() async throws {
        try await SQLMarket.run { market in
            try await market.user(1, "ana", deposit: 10)
            try await market.sql("UPDATE users SET balance = 0, held = 10 WHERE id = 1")
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["held-total"])
            #expect(violations.first?.message == "user 1: held 10 but top bids 0 + open offers 0 + channel escrow 0 = 0")
            #expect(violations.first?.rows == ["users id=1 name=ana balance=0 held=10"])
        }
    }

    @Test func heldTotalListsTheRowsThatDoHoldMoney() async throws {
        try await SQLMarket.run { market in
            try await market.user(1, "ana", deposit: 20)
            try await market.user(2, "bo")
            try await market.sql("""
                INSERT INTO nfts (id, gift, owner_id) VALUES (1, 'Cake', 2);
                INSERT INTO offers (id, nft_id, buyer_id, amount) VALUES (7, 1, 1, 8);
                UPDATE users SET balance = 8, held = 12 WHERE id = 1;
                """)
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["held-total"])
            #expect(violations.first?.message == "user 1: held 12 but top bids 0 + open offers 8 + channel escrow 0 = 8")
            #expect(violations.first?.rows.last == "offers id=7 nft_id=1 amount=8 state=open")
        }
    }

    @Test func nftStatesThatDisagreeWithTheirRowsBreakNFTOwnerState() async throws {
        try await SQLMarket.run { market in
            try await market.dropConstraints(on: "nfts", kind: "c")
            try await market.user(1, "ana")
            try await market.user(2, "bo")
            try await market.sql("""
                UPDATE users SET deleted_at = now() WHERE id = 2;
                INSERT INTO nfts (id, gift, owner_id, state, price) VALUES
                    (1, 'Cake', 1, 'in_auction', NULL),  -- no auction
                    (2, 'Hat', 1, 'in_auction', NULL),   -- auctioned by someone else
                    (3, 'Star', 1, 'in_trade', NULL),    -- in two open trades
                    (4, 'Bag', 2, 'listed', 7),          -- listed by a deleted user
                    (5, 'Pepe', 1, 'owned', 3),          -- priced but not listed
                    (6, 'Bear', 1, 'owned', NULL);       -- proposed in a trade but owned
                INSERT INTO auctions (nft_id, seller_id, start_price, min_step, ends_at) VALUES (2, 2, 10, 1, now() + interval '1 hour');
                INSERT INTO trades (id, owner_id) VALUES (1, 1), (2, 1);
                INSERT INTO trade_items (trade_id, nft_id) VALUES (1, 3), (2, 3);
                INSERT INTO trade_proposals (id, trade_id, proposer_id) VALUES (1, 1, 1);
                INSERT INTO trade_proposal_items (proposal_id, nft_id) VALUES (1, 6);
                """)
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == Array(repeating: "nft-owner-state", count: 6))
            let messages = violations.map(\.message)
            #expect(messages == [
                "nft 1: state is in_auction but it has no active auction",
                "nft 2: an active auction's seller is not its owner (user 1)",
                "nft 3: it is in 2 open trades/pending proposals at once",
                "nft 4: its owner user 2 is deleted but it is still listed",
                "nft 5: it has price 3 but its state is owned",
                "nft 6: it is in an open trade or pending proposal but its state is owned",
            ])
            #expect(violations[3].rows.contains { $0.hasPrefix("users id=2 name=bo deleted_at=") })
            #expect(violations[2].rows == ["nfts id=3 gift=Star owner_id=1 state=in_trade price=NULL",
                                           "trades id=1 owner_id=1 state=open", "trades id=2 owner_id=1 state=open"])
        }
    }

    @Test func anOversoldPresaleBreaksPresaleOversold() async throws {
        try await SQLMarket.run { market in
            try await market.dropConstraints(on: "presales", kind: "c")
            try await market.sql("INSERT INTO presales (id, gift, price, supply, sold) VALUES (4, 'Rocket', 3, 10, 12)")
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["presale-oversold"])
            #expect(violations.first?.message == "presale 4: sold 12 of a supply of 10 (oversold by 2)")
        }
    }

    @Test func aRepeatedIdempotencyKeyBreaksWithdrawalKeyUnique() async throws {
        try await SQLMarket.run { market in
            try await market.dropConstraints(on: "withdrawals", kind: "u")
            try await market.user(1, "ana")
            try await market.sql("""
                INSERT INTO withdrawals (id, user_id, idempotency_key, amount, destination, state) VALUES
                    (1, 1, 'k-1', 5, 'EQ', 'failed'), (2, 1, 'k-1', 5, 'EQ', 'failed'), (3, 1, 'k-2', 5, 'EQ', 'failed');
                """)
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["withdrawal-key-unique"])
            #expect(violations.first?.message == "user 1: idempotency key \"k-1\" is used by 2 withdrawals (ids 1, 2)")
            #expect(violations.first?.rows.count == 2)
        }
    }

    @Test func auctionBidsAreCheckedAgainstStartPriceSellerAndBidRows() async throws {
        try await SQLMarket.run { market in
            try await market.user(1, "ana", deposit: 20)
            try await market.user(2, "bo", deposit: 5)
            try await market.sql("""
                INSERT INTO nfts (id, gift, owner_id, state) VALUES (1, 'Cake', 1, 'in_auction'), (2, 'Hat', 1, 'in_auction'),
                    (3, 'Star', 1, 'in_auction');
                INSERT INTO auctions (id, nft_id, seller_id, start_price, min_step, current_bid, current_bidder_id, bid_count, ends_at) VALUES
                    (1, 1, 1, 10, 1, 5, 2, 1, now() + interval '1 hour'),       -- bid below the start price
                    (2, 2, 1, 10, 1, 20, 1, 1, now() + interval '1 hour'),      -- the seller bids on their own NFT
                    (3, 3, 1, 10, 1, NULL, NULL, 2, now() + interval '1 hour'); -- bid_count without bids rows
                INSERT INTO bids (auction_id, bidder_id, amount) VALUES (1, 2, 5), (2, 1, 20);
                UPDATE users SET balance = 0, held = 5 WHERE id = 2;
                UPDATE users SET balance = 0, held = 20 WHERE id = 1;
                """)
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["auction-bid", "auction-bid", "auction-bid"])
            #expect(violations.map(\.message) == [
                "auction 1 (nft 1): current bid 5 is below the start price 10",
                "auction 2 (nft 2): the top bidder is the seller (user 1)",
                "auction 3 (nft 3): bid_count is 2 but it has 0 bids rows",
            ])
        }
    }

    @Test func channelStatesAndPendingTransfersMustAgree() async throws {
        try await SQLMarket.run { market in
            try await market.sql("DROP INDEX channel_transfers_one_pending")
            try await market.user(1, "ana")
            try await market.user(2, "bo", deposit: 50)
            try await market.sql("""
                INSERT INTO channels (id, owner_id, telegram_channel_id, title, price, state) VALUES
                    (1, 1, 1001, 'one', 10, 'in_transfer'),  -- no pending transfer
                    (2, 1, 1002, 'two', 30, 'listed'),       -- a pending transfer, yet listed
                    (3, 1, 1003, 'three', 10, 'in_transfer'); -- two pending transfers
                INSERT INTO channel_transfers (channel_id, seller_id, buyer_id, price, commission, gateway_key) VALUES
                    (2, 1, 2, 30, 1, 'g-2'), (3, 1, 2, 10, 0, 'g-3a'), (3, 1, 2, 10, 0, 'g-3b');
                UPDATE users SET balance = 0, held = 50 WHERE id = 2;
                """)
            let violations = try await market.violations()
            #expect(violations.map(\.invariant) == ["channel-transfer", "channel-transfer", "channel-transfer"])
            #expect(violations.map(\.message) == [
                "channel 1: state is in_transfer but it has no pending transfer",
                "channel 2: it has a pending transfer but its state is listed",
                "channel 3: it has 2 pending transfers at once",
            ])
            #expect(violations[2].rows.count == 3)
        }
    }

    @Test func offendersBeyondTheReportLimitEndInACountLine() async throws {
        try await SQLMarket.run { market in
            try await market.sql("INSERT INTO users (id, name, balance) SELECT g, 'u' || g, 5 FROM generate_series(1, 53) AS g")
            let violations = try await market.violations()
            #expect(violations.count == 51)
            #expect(violations.allSatisfy { $0.invariant == "user-balance" })
            #expect(violations.last?.message == "3 more users break user-balance (53 in all; only the first 50 are listed)")
        }
    }

    @Test func theCheckerGivesItsConnectionBackOutsideATransaction() async throws {
        try await SQLMarket.run { market in
            _ = try await market.violations()
            let statistics = market.pool.statistics
            #expect(statistics.open == statistics.idle)
            #expect(try await market.violations() == [])
        }
    }
}
