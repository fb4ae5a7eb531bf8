import Testing
@testable import MarketCore

@Suite("Trade operations")
struct TradeOperationTests {
    @Test func acceptingAProposalSwapsTheNFTsAndRejectsTheOthers() async throws {
        try await MarketFixture.run { f in
            let owner = try await f.user("owner")
            let first = try await f.user("first", balance: ton)
            let second = try await f.user("second", balance: ton)
            let offered = try await f.nft(owner: owner)
            let firstNFT = try await f.nft(owner: first)
            let secondNFT = try await f.nft(owner: second)
            let trade = try await f.market.createTrade(owner: owner, nfts: [offered])
            let accepted = try await f.market.propose(trade: trade, proposer: first, nfts: [firstNFT])
            let other = try await f.market.propose(trade: trade, proposer: second, nfts: [secondNFT])
            #expect(try await f.violations().isEmpty)
            try await f.market.acceptProposal(accepted, owner: owner)
            #expect(try await f.value("SELECT owner_id FROM nfts WHERE id = \(offered)", as: Int64.self) == first)
            #expect(try await f.value("SELECT owner_id FROM nfts WHERE id = \(firstNFT)", as: Int64.self) == owner)
            #expect(try await f.value("SELECT state FROM trade_proposals WHERE id = \(other)", as: String.self) == "rejected")
            #expect(try await f.value("SELECT state FROM nfts WHERE id = \(secondNFT)", as: String.self) == "owned")
            #expect(try await f.balance(first) == (ton - 50_000_000, 0))
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func tradeRulesRefuseWithASentence() async throws {
        try await MarketFixture.run { f in
            let owner = try await f.user("owner")
            let poor = try await f.user("poor")
            let nft = try await f.nft(owner: owner)
            let theirs = try await f.nft(owner: poor)
            let stolen = await #expect(throws: MarketError.self) { try await f.market.createTrade(owner: owner, nfts: [theirs]) }
            #expect(stolen?.code == .notOwner)
            let trade = try await f.market.createTrade(owner: owner, nfts: [nft])
            let twice = await #expect(throws: MarketError.self) { try await f.market.createTrade(owner: owner, nfts: [nft]) }
            #expect(twice?.description == "NFT \(nft) is in_trade")
            let self_ = await #expect(throws: MarketError.self) { try await f.market.propose(trade: trade, proposer: owner, nfts: [nft]) }
            #expect(self_?.code == .invalidArgument)
            let proposal = try await f.market.propose(trade: trade, proposer: poor, nfts: [theirs])
            let fee = await #expect(throws: MarketError.self) { try await f.market.acceptProposal(proposal, owner: owner) }
            #expect(fee?.code == .insufficientFunds)
            try await f.market.rejectProposal(proposal, owner: owner)
            #expect(try await f.value("SELECT state FROM nfts WHERE id = \(theirs)", as: String.self) == "owned")
            let again = await #expect(throws: MarketError.self) { try await f.market.rejectProposal(proposal, owner: owner) }
            #expect(again?.description == "proposal \(proposal) is rejected")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func deletingATradeGivesEveryNFTBack() async throws {
        try await MarketFixture.run { f in
            let owner = try await f.user("owner")
            let proposer = try await f.user("proposer")
            let nft = try await f.nft(owner: owner)
            let theirs = try await f.nft(owner: proposer)
            let trade = try await f.market.createTrade(owner: owner, nfts: [nft])
            let proposal = try await f.market.propose(trade: trade, proposer: proposer, nfts: [theirs])
            try await f.market.deleteTrade(trade, owner: owner)
            #expect(try await f.value("SELECT count(*) FROM nfts WHERE state = 'in_trade'", as: Int.self) == 0)
            #expect(try await f.value("SELECT state FROM trade_proposals WHERE id = \(proposal)", as: String.self) == "rejected")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aModeratorRejectsAProposalWithAnAuditRow() async throws {
        try await MarketFixture.run { f in
            let owner = try await f.user("owner")
            let proposer = try await f.user("proposer")
            let trade = try await f.market.createTrade(owner: owner, nfts: [try await f.nft(owner: owner)])
            let proposal = try await f.market.propose(trade: trade, proposer: proposer, nfts: [try await f.nft(owner: proposer)])
            let admin = try await f.operatorNamed("ada", role: .admin)
            try await f.market.rejectProposal(proposal, by: admin)
            #expect(try await f.value("SELECT resolved_by FROM trade_proposals WHERE id = \(proposal)", as: String.self) == admin.login)
            #expect(try await f.value("SELECT count(*) FROM operator_actions WHERE action = 'reject-proposal'", as: Int.self) == 1)
            #expect(try await f.violations().isEmpty)
        }
    }
}
