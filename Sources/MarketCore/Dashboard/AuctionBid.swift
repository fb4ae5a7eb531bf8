import Foundation

/// One bid on an auction.
public struct AuctionBid: Sendable, Equatable, Codable, Identifiable {
    public var id: Int64
    public var bidderID: Int64
    public var bidder: String
    public var amount: Int64
    public var at: Date

    public init(id: Int64, bidderID: Int64, bidder: String, amount: Int64, at: Date) {
        self.id = id
        self.bidderID = bidderID
        self.bidder = bidder
        self.amount = amount
        self.at = at
    }
}

extension AuctionBid {
    /// The newest `limit` bids of an auction, along `bids_auction (auction_id, id)` backwards.
    static func newest(auctionID: Int64, limit: Int) -> PostgresQuery {
        """
        SELECT b.id, b.bidder_id, u.name, b.amount, b.created_at
        FROM bids b JOIN users u ON u.id = b.bidder_id
        WHERE b.auction_id = \(auctionID) ORDER BY b.id DESC LIMIT \(limit)
        """
    }

    init(row: PostgresRow) throws {
        self.init(id: try row.decode(at: 0), bidderID: try row.decode(at: 1), bidder: try row.decode(at: 2),
                  amount: try row.decode(at: 3), at: try row.decode(at: 4))
    }
}
