import Testing
@testable import MarketCore

@Suite("NFT, offer and presale operations")
struct NFTAndOfferOperationTests {
    @Test func buyingAListedNFTMovesMoneyAndOwnership() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 10 * ton)
            let nft = try await f.nft(owner: seller)
            try await f.market.setPrice(nft: nft, owner: seller, price: 4 * ton)
            try await f.market.buy(nft: nft, buyer: buyer)
            #expect(try await f.value("SELECT owner_id FROM nfts WHERE id = \(nft)", as: Int64.self) == buyer)
            #expect(try await f.balance(buyer) == (6 * ton, 0))
            #expect(try await f.balance(seller) == (4 * ton - 200_000_000, 0))
            #expect(try await f.balance(0) == (200_000_000, 0))
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func buyingRulesRefuseWithASentence() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let poor = try await f.user("poor", balance: 1 * ton)
            let nft = try await f.nft(owner: seller)
            let notListed = await #expect(throws: MarketError.self) { try await f.market.buy(nft: nft, buyer: poor) }
            #expect(notListed?.description == "NFT \(nft) is not for sale (owned)")
            try await f.market.setPrice(nft: nft, owner: seller, price: 2 * ton)
            let broke = await #expect(throws: MarketError.self) { try await f.market.buy(nft: nft, buyer: poor) }
            #expect(broke?.code == .insufficientFunds)
            let own = await #expect(throws: MarketError.self) { try await f.market.buy(nft: nft, buyer: seller) }
            #expect(own?.code == .invalidArgument)
            let stranger = await #expect(throws: MarketError.self) { try await f.market.setPrice(nft: nft, owner: poor, price: 1) }
            #expect(stranger?.code == .notOwner)
            let zero = await #expect(throws: MarketError.self) { try await f.market.setPrice(nft: nft, owner: seller, price: 0) }
            #expect(zero?.code == .invalidArgument)
            try await f.market.takeOffSale(nft: nft, owner: seller)
            #expect(try await f.value("SELECT state FROM nfts WHERE id = \(nft)", as: String.self) == "owned")
            #expect(try await f.balance(poor) == (1 * ton, 0))
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func acceptingAnOfferReleasesTheOthers() async throws {
        try await MarketFixture.run { f in
            let owner = try await f.user("owner")
            let first = try await f.user("first", balance: 5 * ton)
            let second = try await f.user("second", balance: 5 * ton)
            let nft = try await f.nft(owner: owner)
            let low = try await f.market.makeOffer(nft: nft, buyer: first, amount: 1 * ton)
            let high = try await f.market.makeOffer(nft: nft, buyer: second, amount: 3 * ton)
            #expect(try await f.balance(first) == (4 * ton, 1 * ton))
            #expect(try await f.violations().isEmpty)
            try await f.market.acceptOffer(high, owner: owner)
            #expect(try await f.balance(first) == (5 * ton, 0))
            #expect(try await f.balance(second) == (2 * ton, 0))
            #expect(try await f.balance(owner) == (3 * ton - 150_000_000, 0))
            #expect(try await f.value("SELECT state FROM offers WHERE id = \(low)", as: String.self) == "released")
            let again = await #expect(throws: MarketError.self) { try await f.market.acceptOffer(low, owner: second) }
            #expect(again?.code == .invalidState)
            let tooMuch = await #expect(throws: MarketError.self) { try await f.market.makeOffer(nft: nft, buyer: first, amount: 6 * ton) }
            #expect(tooMuch?.code == .insufficientFunds)
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aPresaleIsNeverOversold() async throws {
        try await MarketFixture.run { f in
            let presale = try await f.value("INSERT INTO presales (gift, price, supply) VALUES ('Star', \(ton), 10) RETURNING id", as: Int64.self)
            var buyers: [Int64] = []
            for index in 0..<15 { buyers.append(try await f.user("b\(index)", balance: 3 * ton)) }
            let results = await withTaskGroup(of: Int.self) { group in
                for buyer in buyers {
                    group.addTask { (try? await f.market.buyPresale(presale, buyer: buyer).count) ?? 0 }
                }
                return await group.reduce(0, +)
            }
            #expect(results == 10)
            #expect(try await f.value("SELECT sold FROM presales WHERE id = \(presale)", as: Int.self) == 10)
            #expect(try await f.value("SELECT count(*) FROM nfts WHERE gift = 'Star'", as: Int.self) == 10)
            let soldOut = await #expect(throws: MarketError.self) { try await f.market.buyPresale(presale, buyer: buyers[0]) }
            #expect(soldOut?.description == "presale \(presale) has 0 of 10 left, 1 asked")
            #expect(try await f.balance(0).balance == 10 * ton)
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func depositsAndAccountDeletion() async throws {
        try await MarketFixture.run { f in
            let user = try await f.user("leaving", balance: 2 * ton)
            let other = try await f.user("other")
            let nft = try await f.nft(owner: other)
            _ = try await f.market.makeOffer(nft: nft, buyer: user, amount: ton)
            let holding = await #expect(throws: MarketError.self) { try await f.market.deleteAccount(user: user) }
            #expect(holding?.description == "user \(user) holds 1 TON in bids, offers or escrow")
            let listed = try await f.nft(owner: other)
            try await f.market.setPrice(nft: listed, owner: other, price: ton)
            try await f.market.deleteAccount(user: other)
            #expect(try await f.value("SELECT state FROM nfts WHERE id = \(listed)", as: String.self) == "owned")
            let gone = await #expect(throws: MarketError.self) { try await f.market.deposit(user: other, amount: 1, reference: "x") }
            #expect(gone?.code == .notFound)
            #expect(try await f.violations().isEmpty)
        }
    }
}
