import Foundation

/// An active auction as the console lists it.
public struct LiveAuction: Sendable, Equatable, Codable, Identifiable {
    /// The auction id.
    public var id: Int64
    /// The NFT on auction.
    public var nftID: Int64
    /// The NFT's gift and serial, e.g. `"Plush Pepe #12"`.
    public var gift: String
    /// The seller's user id.
    public var sellerID: Int64
    /// The seller's name.
    public var seller: String
    /// In nanoTON, as is every amount.
    public var startPrice: Int64
    /// The top bid; nil before the first bid.
    public var currentBid: Int64?
    /// The top bidder's user id; nil before the first bid.
    public var bidderID: Int64?
    /// The top bidder's name; nil before the first bid.
    public var bidder: String?
    /// How many bids the auction has had.
    public var bids: Int
    /// When bidding closes.
    public var endsAt: Date
    /// Raised by every change; an operator action can name the version it was decided on.
    public var version: Int64
    /// When the auction row last changed (the last bid, usually).
    public var updatedAt: Date

    /// A live auction as the console shows it.
    public init(id: Int64, nftID: Int64, gift: String, sellerID: Int64, seller: String, startPrice: Int64,
                currentBid: Int64?, bidderID: Int64?, bidder: String?, bids: Int, endsAt: Date, version: Int64,
                updatedAt: Date) {
        self.id = id
        self.nftID = nftID
        self.gift = gift
        self.sellerID = sellerID
        self.seller = seller
        self.startPrice = startPrice
        self.currentBid = currentBid
        self.bidderID = bidderID
        self.bidder = bidder
        self.bids = bids
        self.endsAt = endsAt
        self.version = version
        self.updatedAt = updatedAt
    }
}

extension LiveAuction {
    /// Active auctions. `ends_at` (the default) and `id` walk an index; `current_bid` (no bid sorts
    /// as 0), `bids`, `seller` and `gift` sort the active set, since an index on the columns every
    /// bid writes would cost the bid path its HOT updates.
    ///
    /// Names are looked up by scalar subqueries rather than joins: over a million auctions the
    /// planner puts a Memoize node on a users join, whose hash table, sized for every seller,
    /// costs 4 ms to set up for a ten-row page.
    static let source = KeysetSource(
        name: "live auctions",
        columns: """
            a.id, a.nft_id, n.gift || ' #' || n.serial, a.seller_id, \(seller), a.start_price, a.current_bid,
            a.current_bidder_id, \(bidder), a.bid_count, a.ends_at, a.version, a.updated_at
            """,
        from: "auctions a JOIN nfts n ON n.id = a.nft_id",
        condition: "a.state = 'active'",
        filterColumns: ["n.gift || ' #' || n.serial", .userName(id: "a.seller_id"), .userName(id: "a.current_bidder_id")],
        sorts: [
            ("ends_at", [.init("a.ends_at", "timestamptz"), .init("a.id", "bigint")]),
            ("id", [.init("a.id", "bigint")]),
            ("current_bid", [.init("COALESCE(a.current_bid, 0)", "bigint"), .init("a.id", "bigint")]),
            ("bids", [.init("a.bid_count", "integer"), .init("a.id", "bigint")]),
            ("seller", [.init(seller, "text"), .init("a.id", "bigint")]),
            ("gift", [.init("n.gift", "text"), .init("n.serial", "integer"), .init("a.id", "bigint")]),
        ],
        defaultSort: "ends_at")

    private static let seller = "(SELECT u.name FROM users u WHERE u.id = a.seller_id)"
    private static let bidder = "(SELECT u.name FROM users u WHERE u.id = a.current_bidder_id)"

    init(row: PostgresRow) throws {
        self.init(id: try row.decode(at: 0), nftID: try row.decode(at: 1), gift: try row.decode(at: 2),
                  sellerID: try row.decode(at: 3), seller: try row.decode(at: 4), startPrice: try row.decode(at: 5),
                  currentBid: try row.decode(Int64?.self, at: 6), bidderID: try row.decode(Int64?.self, at: 7),
                  bidder: try row.decode(String?.self, at: 8), bids: try row.decode(at: 9), endsAt: try row.decode(at: 10),
                  version: try row.decode(at: 11), updatedAt: try row.decode(at: 12))
    }
}
