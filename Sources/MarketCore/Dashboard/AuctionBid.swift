import Foundation

/// One bid on an auction.
public struct AuctionBid: Sendable, Equatable, Codable, Identifiable {
    /// The `bids` row id.
    public var id: Int64
    /// The bidder's user id.
    public var bidderID: Int64
    /// The bidder's name.
    public var bidder: String
    /// In nanoTON.
    public var amount: Int64
    /// When the bid was placed.
    public var at: Date

    /// A bid as the console shows it.
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
