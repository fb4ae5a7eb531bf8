extension InvariantCheck {
    /// auction-bid: on every active auction, `bid_count` is the number of its bids rows and the
    /// current bid is the highest of them; a current bid is at least the start price and is not
    /// the seller's own.
    static let auctionBid = InvariantCheck(id: "auction-bid", findViolations: auctionBidViolations)

    private static func auctionBidViolations(in snapshot: InvariantSnapshot) async throws -> [InvariantViolation] {
        let offenders = try await snapshot.offenders("""
            WITH bid_facts AS (
                SELECT auction_id, count(*) AS bid_rows, max(amount) AS highest_bid FROM bids GROUP BY auction_id
            )
            SELECT a.id, a.nft_id, a.seller_id, a.start_price, a.current_bid, a.current_bidder_id, a.bid_count, a.state,
                   COALESCE(b.bid_rows, 0) AS bid_rows, b.highest_bid, count(*) OVER () AS offender_count
            FROM auctions a LEFT JOIN bid_facts b ON b.auction_id = a.id
            WHERE a.state = 'active'
              AND (a.current_bid < a.start_price
                   OR a.current_bidder_id = a.seller_id
                   OR a.bid_count <> COALESCE(b.bid_rows, 0)
                   OR a.current_bid IS DISTINCT FROM b.highest_bid)
            ORDER BY a.id LIMIT \(reportLimit)
            """)
        return try auctionBid.violations(offenders, noun: "auctions") { row in
            let id = try row.decode(Int64.self, column: "id")
            let nft = try row.decode(Int64.self, column: "nft_id")
            let seller = try row.decode(Int64.self, column: "seller_id")
            let startPrice = try row.decode(Int64.self, column: "start_price")
            let currentBid = try row.decode(Int64?.self, column: "current_bid")
            let bidder = try row.decode(Int64?.self, column: "current_bidder_id")
            let bidCount = try row.decode(Int64.self, column: "bid_count")
            let bidRows = try row.decode(Int64.self, column: "bid_rows")
            let highestBid = try row.decode(Int64?.self, column: "highest_bid")
            var problems: [String] = []
            if let currentBid, currentBid < startPrice {
                problems.append("current bid \(currentBid) is below the start price \(startPrice)")
            }
            if let bidder, bidder == seller { problems.append("the top bidder is the seller (user \(seller))") }
            if bidCount != bidRows { problems.append("bid_count is \(bidCount) but it has \(bidRows) bids rows") }
            if currentBid != highestBid {
                problems.append("current bid is \(currentBid.map(String.init) ?? "none") "
                                + "but the highest bids row is \(highestBid.map(String.init) ?? "none")")
            }
            return ("auction \(id) (nft \(nft)): " + problems.joined(separator: "; "),
                    [row.rendered(as: "auctions", ["id", "nft_id", "seller_id", "start_price", "current_bid",
                                                   "current_bidder_id", "bid_count", "state"]),
                     row.rendered(as: "bids", ["auction_id": "id", "rows": "bid_rows", "max_amount": "highest_bid"])])
        }
    }
}
