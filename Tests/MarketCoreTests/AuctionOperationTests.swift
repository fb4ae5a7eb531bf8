import Testing
@testable import MarketCore

@Suite("Auction operations")
struct AuctionOperationTests {
    @Test func outbiddingReleasesThePreviousTopBidAtomically() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let alice = try await f.user("alice", balance: 10 * ton)
            let bob = try await f.user("bob", balance: 10 * ton)
            let nft = try await f.nft(owner: seller)
            let auction = try await f.market.createAuction(nft: nft, seller: seller, startPrice: 2 * ton, minStep: ton, duration: .seconds(60))
            #expect(try await f.value("SELECT state FROM nfts WHERE id = \(nft)", as: String.self) == "in_auction")
            try await f.market.bid(auction: auction, bidder: alice, amount: 2 * ton)
            try await f.market.bid(auction: auction, bidder: bob, amount: 3 * ton)
            #expect(try await f.balance(alice) == (10 * ton, 0))
            #expect(try await f.balance(bob) == (7 * ton, 3 * ton))
            try await f.market.bid(auction: auction, bidder: bob, amount: 5 * ton)
            #expect(try await f.balance(bob) == (5 * ton, 5 * ton))
            #expect(try await f.value("SELECT bid_count FROM auctions WHERE id = \(auction)", as: Int.self) == 3)
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func bidRulesRefuseWithASentence() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let alice = try await f.user("alice", balance: 3 * ton)
            let auction = try await f.market.createAuction(nft: try await f.nft(owner: seller), seller: seller,
                                                           startPrice: 2 * ton, minStep: ton, duration: .seconds(60))
            let low = await #expect(throws: MarketError.self) { try await f.market.bid(auction: auction, bidder: alice, amount: ton) }
            #expect(low?.description == "bid 1 TON on auction \(auction) is below the minimum 2 TON")
            let own = await #expect(throws: MarketError.self) { try await f.market.bid(auction: auction, bidder: seller, amount: 2 * ton) }
            #expect(own?.code == .invalidArgument)
            let broke = await #expect(throws: MarketError.self) { try await f.market.bid(auction: auction, bidder: alice, amount: 4 * ton) }
            #expect(broke?.code == .insufficientFunds)
            try await f.market.bid(auction: auction, bidder: alice, amount: 2 * ton)
            let step = await #expect(throws: MarketError.self) { try await f.market.bid(auction: auction, bidder: alice, amount: 2_500_000_000) }
            #expect(step?.description == "bid 2.5 TON on auction \(auction) is below the minimum 3 TON")
            let withBids = await #expect(throws: MarketError.self) { try await f.market.deleteAuction(auction, seller: seller) }
            #expect(withBids?.code == .invalidState)
            let early = await #expect(throws: MarketError.self) { try await f.market.settleAuction(auction) }
            #expect(early?.description.hasPrefix("auction \(auction) ends in") == true)
            _ = try await f.services.pool.query("UPDATE auctions SET ends_at = now() - interval '3 seconds' WHERE id = \(auction)")
            let ended = await #expect(throws: MarketError.self) { try await f.market.bid(auction: auction, bidder: alice, amount: 3 * ton) }
            #expect(ended?.description == "auction \(auction) ended 3 s ago")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func settlingPaysTheSellerAndGivesTheWinnerTheNFT() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let winner = try await f.user("winner", balance: 10 * ton)
            let nft = try await f.nft(owner: seller)
            let auction = try await f.market.createAuction(nft: nft, seller: seller, startPrice: 4 * ton, minStep: ton, duration: .seconds(60))
            try await f.market.bid(auction: auction, bidder: winner, amount: 4 * ton)
            _ = try await f.services.pool.query("UPDATE auctions SET ends_at = now() WHERE id = \(auction)")
            try await f.market.settleAuction(auction)
            #expect(try await f.value("SELECT owner_id FROM nfts WHERE id = \(nft)", as: Int64.self) == winner)
            #expect(try await f.balance(winner) == (6 * ton, 0))
            #expect(try await f.balance(seller) == (4 * ton - 200_000_000, 0))
            #expect(try await f.value("SELECT state FROM auctions WHERE id = \(auction)", as: String.self) == "finished")
            let twice = await #expect(throws: MarketError.self) { try await f.market.settleAuction(auction) }
            #expect(twice?.description == "auction \(auction) is finished")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aSellerDeletesAnAuctionWithoutBids() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let nft = try await f.nft(owner: seller)
            let auction = try await f.market.createAuction(nft: nft, seller: seller, startPrice: ton, minStep: ton, duration: .seconds(60))
            let stranger = await #expect(throws: MarketError.self) { try await f.market.deleteAuction(auction, seller: seller + 99) }
            #expect(stranger?.code == .notOwner)
            try await f.market.deleteAuction(auction, seller: seller)
            #expect(try await f.value("SELECT state FROM nfts WHERE id = \(nft)", as: String.self) == "owned")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aModeratorCancelsAndTheCancellationIsAudited() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let bidder = try await f.user("bidder", balance: 5 * ton)
            let nft = try await f.nft(owner: seller)
            let auction = try await f.market.createAuction(nft: nft, seller: seller, startPrice: ton, minStep: ton, duration: .seconds(60))
            try await f.market.bid(auction: auction, bidder: bidder, amount: 2 * ton)
            let viewer = try await f.operatorNamed("nobody", role: nil, reason: "curious")
            let refused = await #expect(throws: MarketError.self) { try await f.market.cancelAuction(auction, by: viewer) }
            #expect(refused?.description == "operator \(viewer.login) (viewer) may not cancel-auction: admin or moderator only")
            #expect(try await f.auditRows() == ["\(viewer.login) viewer cancel-auction auction:\(auction) forbidden"])
            let moderator = try await f.operatorNamed("mia", role: .moderator)
            try await f.market.cancelAuction(auction, by: moderator)
            #expect(try await f.balance(bidder) == (5 * ton, 0))
            #expect(try await f.value("SELECT state FROM nfts WHERE id = \(nft)", as: String.self) == "owned")
            #expect(try await f.value("SELECT cancelled_by FROM auctions WHERE id = \(auction)", as: String.self) == moderator.login)
            #expect(try await f.value("SELECT action || ' ' || target || ' ' || role FROM operator_actions WHERE outcome = 'done'",
                                      as: String.self) == "cancel-auction auction:\(auction) moderator")
            #expect(try await f.violations().isEmpty)
        }
    }

    /// With Redis unreachable, the lock falls back to PostgreSQL advisory locks, whose fences come
    /// from `lock_fence_seq`: an operator's login may draw one, or no operator could act in an outage.
    @Test func aModeratorCancelsOnTheAdvisoryFallback() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let nft = try await f.nft(owner: seller)
            let auction = try await f.market.createAuction(nft: nft, seller: seller, startPrice: ton, minStep: ton, duration: .seconds(60))
            let login = f.loginName("mia")
            _ = try await f.services.pool.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(Migrator.quoteIdentifier(login)) LOGIN IN ROLE market_moderator"))
            var configuration = f.services.configuration
            configuration.database = try PostgresConfiguration(url: TestServers.url(configuration.database.url, user: login))
            configuration.database.schema = f.services.configuration.database.schema
            configuration.redis = nil
            let services = try await MarketServices.connect(configuration, migrate: false)
            #expect(services.locks.mode == .advisory)
            do {
                try await Market(services: services, gateways: f.market.gateways).cancelAuction(auction, by: OperatorRequest(reason: "outage"))
                await services.shutdown()
            } catch {
                await services.shutdown()
                throw error
            }
            #expect(try await f.value("SELECT cancelled_by FROM auctions WHERE id = \(auction)", as: String.self) == login)
            #expect(try await f.violations().isEmpty)
        }
    }
}
