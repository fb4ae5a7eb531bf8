import Testing
@testable import MarketCore

/// Operator actions racing the market: every round ends in exactly one consistent outcome and the
/// invariant checker finds nothing afterwards.
@Suite("Operator actions racing the market", .serialized)
struct OperatorRaceTests {
    static let rounds = 1_000
    /// Rounds in flight at once: enough to overlap, modest enough for two shared cores.
    static let concurrentRounds = 6

    /// What one auction round saw: the bids that went through, and how the cancel ended.
    struct AuctionRound: Sendable {
        let auction: Int64
        let withExpectedVersion: Bool
        var acceptedBids: [Int64] = []
        var refusedBids: [MarketError.Code] = []
        /// nil when the cancel went through.
        var cancel: MarketError.Code?
        var otherErrors: [String] = []
    }

    /// Each round: a fresh auction, four bids and a moderator's cancel sent together. Half the
    /// moderators act on the version they saw (the fresh auction), half without one. Either the
    /// auction is cancelled — the bids before the cancel accepted and the top one released, every
    /// bid after it refused, the NFT back with the seller — or (only with a version, when a bid
    /// came first) the cancel is refused as `.changed` and the auction runs on with exactly the
    /// accepted bids. At the end no money is lost or held twice.
    @Test func aModeratorCancellingWhileClientsBidEndsEachRoundOneWay() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        try await MarketFixture.run(maxConnections: 24) { f in
            let seller = try await f.user("seller")
            var bidders: [Int64] = []
            for index in 0..<8 { bidders.append(try await f.user("bidder\(index)", balance: 1_000 * ton)) }
            let mia = try await f.operatorNamed("mia", role: .moderator)
            let bidderIDs = bidders

            let results = try await Self.inRounds { round in
                let nft = try await f.nft(owner: seller)
                let auction = try await f.market.createAuction(nft: nft, seller: seller, startPrice: ton, minStep: ton / 10,
                                                               duration: .seconds(600))
                let withVersion = round % 2 == 0
                var result = AuctionRound(auction: auction, withExpectedVersion: withVersion)
                enum Step: Sendable { case bid(Int64, Result<Void, MarketError>), cancel(Result<Void, MarketError>), other(String) }
                let cancel: @Sendable () async -> Step = {
                    do {
                        try await f.market.cancelAuction(auction, expectedVersion: withVersion ? 1 : nil, by: mia)
                        return .cancel(.success(()))
                    } catch let error as MarketError {
                        return .cancel(.failure(error))
                    } catch {
                        return .other("cancel: \(error)")
                    }
                }
                let steps = await withTaskGroup(of: Step.self) { group in
                    // The cancel is sent first, last, or between the bids, by turns.
                    for index in 0..<4 {
                        if index == round % 5 { group.addTask(operation: cancel) }
                        let amount = ton + Int64(index) * ton / 10
                        group.addTask {
                            do {
                                try await f.market.bid(auction: auction, bidder: bidderIDs[(round + index) % bidderIDs.count], amount: amount)
                                return .bid(amount, .success(()))
                            } catch let error as MarketError {
                                return .bid(amount, .failure(error))
                            } catch {
                                return .other("bid: \(error)")
                            }
                        }
                    }
                    if round % 5 == 4 { group.addTask(operation: cancel) }
                    return await group.reduce(into: [Step]()) { $0.append($1) }
                }
                for step in steps {
                    switch step {
                    case .bid(let amount, .success): result.acceptedBids.append(amount)
                    case .bid(_, .failure(let error)): result.refusedBids.append(error.code)
                    case .cancel(.success): break
                    case .cancel(.failure(let error)): result.cancel = error.code
                    case .other(let description): result.otherErrors.append(description)
                    }
                }
                return result
            }

            let rows = try await f.services.pool.query("""
                SELECT a.id, a.state, a.bid_count, a.current_bid, n.owner_id, n.state, (SELECT count(*) FROM bids b WHERE b.auction_id = a.id)
                FROM auctions a JOIN nfts n ON n.id = a.nft_id ORDER BY a.id
                """).rows
            var byAuction: [Int64: (state: String, bidCount: Int, currentBid: Int64?, owner: Int64, nftState: String, bidRows: Int)] = [:]
            for row in rows {
                byAuction[try row.decode(Int64.self, at: 0)] = (try row.decode(at: 1), try row.decode(at: 2), try row.decode(Int64?.self, at: 3),
                                                                try row.decode(at: 4), try row.decode(at: 5), try row.decode(at: 6))
            }
            var cancelledFirst = 0, bidFirst = 0
            for round in results {
                #expect(round.otherErrors.isEmpty, "auction \(round.auction): \(round.otherErrors)")
                let row = try #require(byAuction[round.auction])
                #expect(row.bidCount == round.acceptedBids.count && row.bidRows == round.acceptedBids.count)
                #expect(Set(round.refusedBids).isSubset(of: [.invalidState, .invalidArgument]), "auction \(round.auction): \(round.refusedBids)")
                switch round.cancel {
                case nil:
                    cancelledFirst += round.acceptedBids.isEmpty ? 1 : 0
                    #expect(row.state == "cancelled" && row.owner == seller && row.nftState == "owned", "auction \(round.auction): \(row)")
                case .changed?:
                    bidFirst += 1
                    #expect(round.withExpectedVersion)
                    #expect(!round.acceptedBids.isEmpty)
                    #expect(row.state == "active" && row.nftState == "in_auction", "auction \(round.auction): \(row)")
                    #expect(row.currentBid == round.acceptedBids.max())
                case let other?:
                    Issue.record("auction \(round.auction): the cancel was refused as \(other)")
                }
            }
            #expect(cancelledFirst > 0 && bidFirst > 0, "both orders should have happened")
            #expect(try await f.violations().isEmpty)

            // Cancelling the auctions still running gives every bidder all of their money back.
            for round in results where round.cancel != nil {
                try await f.market.cancelAuction(round.auction, by: mia)
            }
            for bidder in bidders { #expect(try await f.balance(bidder) == (1_000 * ton, 0)) }
            #expect(try await f.value("SELECT count(*) FROM auctions WHERE state <> 'cancelled'", as: Int.self) == 0)
            #expect(try await f.value("SELECT count(*) FROM operator_actions", as: Int.self) == Self.rounds)
            #expect(try await f.violations().isEmpty)
            print("auction race: \(Self.rounds) rounds, \(cancelledFirst) cancelled before any bid, \(bidFirst) cancels refused as changed, "
                  + "\(clock.now - started)")
        }
    }

    /// Each round: a channel sale Telegram left pending, then an admin's force-complete and an
    /// admin's retry (Telegram now answers) sent together. Exactly one of them completes the
    /// transfer; the other is refused (already completed, or changed since the admin looked);
    /// the seller is paid once.
    @Test func anAdminForceCompletingWhileTheRetryFinishesCompletesEachTransferOnce() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let telegram = ScriptedTelegram(.firstUnknownThenDone)
        try await MarketFixture.run(telegram: telegram, maxConnections: 24) { f in
            let price = ton
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: Int64(Self.rounds) * price)
            let ada = try await f.operatorNamed("ada", role: .admin)
            let rex = try await f.operatorNamed("rex", role: .admin)

            enum Winner: Sendable, Equatable { case forceComplete, retry, unexpected(String) }
            let winners = try await Self.inRounds { round -> Winner in
                let (_, transfer) = try await f.pendingTransfer(seller: seller, buyer: buyer, telegramChannel: 10_000 + Int64(round), price: price)
                let withVersion = round % 2 == 0
                async let forced = Self.outcome { try await f.market.forceCompleteTransfer(transfer, expectedVersion: withVersion ? 2 : nil, by: ada) }
                async let retried = Self.outcome {
                    let outcome = try await f.market.retryTransfer(transfer, by: rex)
                    guard outcome == .completed(transfer: transfer) else { throw MarketError(.invalidState, "test: retry ended \(outcome)") }
                }
                switch (await forced, await retried) {
                case (.done, .refused(.invalidState)): return .forceComplete
                case (.refused(.invalidState), .done) where !withVersion, (.refused(.changed), .done) where withVersion: return .retry
                case let (force, retry): return .unexpected("force-complete \(force), retry \(retry)")
                }
            }
            #expect(winners.filter { $0 != .forceComplete && $0 != .retry }.isEmpty,
                    "\(winners.filter { $0 != .forceComplete && $0 != .retry }.prefix(5))")
            let rounds = Int64(Self.rounds)
            #expect(try await f.value("SELECT count(*) FROM channel_transfers WHERE state = 'completed'", as: Int64.self) == rounds)
            #expect(try await f.value("SELECT count(*) FROM ledger WHERE account_id = \(seller) AND kind = 'sale'", as: Int64.self) == rounds)
            #expect(try await f.value("""
                SELECT count(*) FROM (SELECT reference FROM ledger WHERE reference LIKE 'transfer:%' GROUP BY reference HAVING count(*) <> 3) x
                """, as: Int64.self) == 0)
            #expect(try await f.balance(seller) == (rounds * (price - f.market.rules.commission(on: price)), 0))
            #expect(try await f.balance(buyer) == (0, 0))
            #expect(try await f.value("SELECT count(*) FROM channels WHERE owner_id = \(buyer) AND state = 'owned'", as: Int64.self) == rounds)
            #expect(try await f.value("SELECT count(*) FROM operator_actions", as: Int64.self) == rounds)
            #expect(try await f.violations().isEmpty)
            let forced = winners.filter { $0 == .forceComplete }.count
            #expect(forced > 0 && forced < Self.rounds, "both orders should have happened")
            print("transfer race: \(Self.rounds) rounds, \(forced) force-completed, \(winners.count - forced) completed by the retry, "
                  + "\(clock.now - started)")
        }
    }

    enum Outcome: Sendable, Equatable {
        case done
        case refused(MarketError.Code)
        case failed(String)
    }

    /// How `body` ended: done, refused by a market rule, or failed otherwise.
    static func outcome(_ body: () async throws -> Void) async -> Outcome {
        do {
            try await body()
            return .done
        } catch let error as MarketError {
            return .refused(error.code)
        } catch {
            return .failed(String(describing: error))
        }
    }

    /// Runs `round` for 0..<rounds, `concurrentRounds` at a time; results in round order.
    static func inRounds<T: Sendable>(_ round: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var results: [Int: T] = [:]
            var next = 0
            while next < min(concurrentRounds, rounds) {
                let index = next
                group.addTask { (index, try await round(index)) }
                next += 1
            }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < rounds {
                    let index = next
                    group.addTask { (index, try await round(index)) }
                    next += 1
                }
            }
            return (0..<rounds).map { results[$0]! }
        }
    }
}
