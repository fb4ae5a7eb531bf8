/// An auction as locked in a Unit of Work.
struct AuctionRow: Sendable {
    let id: Int64
    let nft: Int64
    let seller: Int64
    let startPrice: Int64
    let minStep: Int64
    let currentBid: Int64?
    let currentBidder: Int64?
    let bidCount: Int
    let state: String
    /// Seconds since `ends_at` by the database clock; negative while running.
    let secondsPastEnd: Double
    /// Bumped by every write to the row (a bid, a cancel, a settle).
    let version: Int64
}

extension UnitOfWork {
    static func auctionLockQuery(_ id: Int64) -> PostgresQuery {
        """
        SELECT id, nft_id, seller_id, start_price, min_step, current_bid, current_bidder_id, bid_count, state,
               EXTRACT(EPOCH FROM now() - ends_at)::float8, version
        FROM auctions WHERE id = \(id) FOR UPDATE OF auctions
        """
    }

    func lockAuction(_ id: Int64) async throws -> AuctionRow {
        try AuctionRow(id, from: try await query(Self.auctionLockQuery(id)))
    }
}

extension AuctionRow {
    init(_ id: Int64, from result: PostgresResult) throws {
        guard let row = result.first else { throw MarketError(.notFound, "auction \(id) does not exist") }
        self.init(id: try row.decode(at: 0), nft: try row.decode(at: 1), seller: try row.decode(at: 2),
                  startPrice: try row.decode(at: 3), minStep: try row.decode(at: 4),
                  currentBid: try row.decode(Int64?.self, at: 5), currentBidder: try row.decode(Int64?.self, at: 6),
                  bidCount: try row.decode(at: 7), state: try row.decode(at: 8), secondsPastEnd: try row.decode(at: 9),
                  version: try row.decode(at: 10))
    }

    func requireActive() throws {
        guard state == "active" else { throw MarketError(.invalidState, "auction \(id) is \(state)") }
    }

    /// "3 s", "2 min", "4 h" for messages.
    static func span(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if whole < 120 { return "\(whole) s" }
        if whole < 7200 { return "\(whole / 60) min" }
        return "\(whole / 3600) h"
    }
}

extension Market {
    /// Puts an owned (or listed) NFT up for auction; returns the auction's id.
    public func createAuction(nft: Int64, seller: Int64, startPrice: Int64, minStep: Int64, duration: Duration) async throws -> Int64 {
        let startPrice = try startPrice.requirePositive("a start price")
        let minStep = try minStep.requirePositive("a minimum step")
        guard duration > .zero else { throw MarketError(.invalidArgument, "an auction must run for some time") }
        let seconds = duration.seconds
        return try await locked(OperationLockKeys.nft(nft), "auction.new") { uow in
            let row = try await uow.lockNFT(nft)
            try row.requireOwner(seller)
            try row.requireState(["owned", "listed"])
            _ = try await uow.lockAccounts([seller])
            try await uow.setNFT(nft, state: "in_auction")
            let created = try await uow.query("""
                INSERT INTO auctions (nft_id, seller_id, start_price, min_step, ends_at)
                VALUES (\(nft), \(seller), \(startPrice), \(minStep), now() + make_interval(secs => \(seconds)))
                RETURNING id
                """)
            return try created.rows[0].decode(Int64.self, at: 0)
        }
    }

    /// The seller withdraws an auction nobody has bid on; the NFT comes back.
    public func deleteAuction(_ auction: Int64, seller: Int64) async throws {
        try await locked(OperationLockKeys.auction(auction), "auction.del") { uow in
            let row = try await uow.lockAuction(auction)
            guard row.seller == seller else { throw MarketError(.notOwner, "auction \(auction) is user \(row.seller)'s, not \(seller)'s") }
            try row.requireActive()
            guard row.bidCount == 0 else {
                throw MarketError(.invalidState, "auction \(auction) has \(row.bidCount) bid(s) and cannot be deleted")
            }
            _ = try await uow.lockNFT(row.nft)
            try await uow.execute("""
                UPDATE auctions SET state = 'cancelled', cancel_reason = 'deleted by the seller', version = version + 1,
                updated_at = now() WHERE id = \(auction)
                """)
            try await uow.setNFT(row.nft, state: "owned")
        }
    }

    /// Bids `amount` on an auction: at least the start price, and the current bid plus the minimum
    /// step. The bidder's money is held; the previous top bid is released in the same transaction.
    public func bid(auction: Int64, bidder: Int64, amount: Int64) async throws {
        let amount = try amount.requirePositive("a bid")
        try await locked(OperationLockKeys.auction(auction), "auction.bid") { uow in
            // One round trip: the auction row first, then the bidder and the current top bidder
            // (read from the row just locked), in id order and `FOR NO KEY UPDATE`, as `lockAccounts` locks users.
            let locked = try await uow.queries([
                UnitOfWork.auctionLockQuery(auction),
                """
                SELECT id, name, balance, held, deleted_at IS NOT NULL FROM users
                WHERE id IN (\(bidder), (SELECT current_bidder_id FROM auctions WHERE id = \(auction)))
                ORDER BY id FOR NO KEY UPDATE OF users
                """,
            ])
            let row = try AuctionRow(auction, from: locked[0])
            try row.requireActive()
            guard row.secondsPastEnd < 0 else {
                throw MarketError(.invalidState, "auction \(auction) ended \(AuctionRow.span(row.secondsPastEnd)) ago")
            }
            guard bidder != row.seller else { throw MarketError(.invalidArgument, "user \(bidder) cannot bid on their own auction") }
            let minimum = row.currentBid.map { $0 + row.minStep } ?? row.startPrice
            guard amount >= minimum else {
                throw MarketError(.invalidArgument, "bid \(TON.format(amount)) on auction \(auction) is below the minimum \(TON.format(minimum))")
            }
            let accounts = try UnitOfWork.accounts(from: locked[1], required: [bidder] + (row.currentBidder.map { [$0] } ?? []))
            // The new top bid is held; the previous one (the bidder's own, when raising) is released.
            var bidderHeld = amount
            var previousBidder = bidder
            var previousReleased: Int64 = 0
            if row.currentBidder == bidder, let previous = row.currentBid {
                try uow.requireFunds(accounts[bidder]!, amount - previous, for: "raising the bid on auction \(auction)")
                bidderHeld = amount - previous
            } else {
                try uow.requireFunds(accounts[bidder]!, amount, for: "a bid on auction \(auction)")
                if let other = row.currentBidder, let previous = row.currentBid {
                    previousBidder = other
                    previousReleased = previous
                }
            }
            // All writes in one statement, sent with the COMMIT: both users, the auction, the bid row.
            uow.executeAtCommit("""
                WITH moved AS (
                    UPDATE users SET balance = balance + CASE WHEN id = \(bidder) THEN \(-bidderHeld)::bigint ELSE \(previousReleased)::bigint END,
                    held = held + CASE WHEN id = \(bidder) THEN \(bidderHeld)::bigint ELSE \(-previousReleased)::bigint END, updated_at = now()
                    WHERE id IN (\(bidder), \(previousBidder)) RETURNING id),
                raised AS (
                    UPDATE auctions SET current_bid = \(amount), current_bidder_id = \(bidder), bid_count = bid_count + 1,
                    version = version + 1, updated_at = now() WHERE id = \(auction) RETURNING id)
                INSERT INTO bids (auction_id, bidder_id, amount) VALUES (\(auction), \(bidder), \(amount))
                """)
        }
    }

    /// A moderator cancels an active auction: the top bid is released, the NFT goes back to the
    /// seller, and the reason is audited in the same transaction — by the database's
    /// `mc_op_cancel_auction`, which checks the login's role.
    ///
    /// - Parameters:
    ///   - expectedVersion: the auction's `version` the moderator looked at; when given and the
    ///     auction has moved on since (a bid came in, say), the cancel is refused with
    ///     ``MarketError/Code/changed`` and nothing changes.
    ///   - approval: the approval a second operator runs it under (``approve(_:by:)``).
    public func cancelAuction(_ auction: Int64, expectedVersion: Int64? = nil, by request: OperatorRequest,
                              approval: Int64? = nil) async throws {
        try await locked(OperationLockKeys.auction(auction), "auction.cancel") { uow in
            try await uow.operatorCall("""
                SELECT mc_op_cancel_auction(\(auction), \(expectedVersion), \(request.reason), \(approval))
                """, action: .cancelAuction, target: OperatorAction.cancelAuction.auditTarget(auction), reason: request.reason)
        }
    }

    /// Settles an auction past its end: the winner gets the NFT, the seller the price less
    /// commission; with no bids the NFT goes back to the seller.
    public func settleAuction(_ auction: Int64) async throws {
        let rules = self.rules
        try await locked(OperationLockKeys.auction(auction), "auction.settle") { uow in
            let row = try await uow.lockAuction(auction)
            try row.requireActive()
            guard row.secondsPastEnd >= 0 else {
                throw MarketError(.invalidState, "auction \(auction) ends in \(AuctionRow.span(-row.secondsPastEnd))")
            }
            _ = try await uow.lockNFT(row.nft)
            if let winner = row.currentBidder, let price = row.currentBid {
                _ = try await uow.lockAccounts([winner, row.seller])
                try await uow.setNFT(row.nft, owner: winner, state: "owned")
                try await uow.settleSale(buyer: winner, seller: row.seller, price: price, commission: rules.commission(on: price),
                                         reference: "auction:\(auction)", fromHeld: true, buyerKind: "auction_settle")
            } else {
                try await uow.setNFT(row.nft, state: "owned")
            }
            try await uow.execute("UPDATE auctions SET state = 'finished', version = version + 1, updated_at = now() WHERE id = \(auction)")
        }
    }
}
