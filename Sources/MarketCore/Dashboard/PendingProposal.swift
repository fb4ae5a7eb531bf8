import Foundation

/// A trade proposal waiting for the trade owner's answer.
public struct PendingProposal: Sendable, Equatable, Codable, Identifiable {
    /// The proposal id.
    public var id: Int64
    /// The trade the proposal answers.
    public var tradeID: Int64
    /// The trade owner's user id.
    public var ownerID: Int64
    /// The trade owner's name.
    public var owner: String
    /// The proposer's user id.
    public var proposerID: Int64
    /// The proposer's name.
    public var proposer: String
    /// The gifts the proposer offers, e.g. `["Plush Pepe #12"]`, in NFT id order.
    public var items: [String]
    /// The gifts of the trade, in NFT id order.
    public var tradeItems: [String]
    /// When the proposal was made.
    public var createdAt: Date
    /// Raised by every change of the proposal row.
    public var version: Int64

    /// A pending proposal as the console shows it.
    public init(id: Int64, tradeID: Int64, ownerID: Int64, owner: String, proposerID: Int64, proposer: String,
                items: [String], tradeItems: [String], createdAt: Date, version: Int64) {
        self.id = id
        self.tradeID = tradeID
        self.ownerID = ownerID
        self.owner = owner
        self.proposerID = proposerID
        self.proposer = proposer
        self.items = items
        self.tradeItems = tradeItems
        self.createdAt = createdAt
        self.version = version
    }
}

extension PendingProposal {
    /// Pending proposals. `created_at` (the default) walks `trade_proposals_pending`, `id` the
    /// primary key; `owner` and `proposer` sort the pending set. The filter matches the owner's and
    /// proposer's names and the gifts on either side. Names are scalar subqueries, for the reason
    /// given at ``LiveAuction/source``.
    static let source = KeysetSource(
        name: "pending proposals",
        columns: """
            p.id, p.trade_id, t.owner_id, \(owner), p.proposer_id, \(proposer),
            (SELECT COALESCE(json_agg(n.gift || ' #' || n.serial ORDER BY n.id), '[]') FROM trade_proposal_items i
             JOIN nfts n ON n.id = i.nft_id WHERE i.proposal_id = p.id)::text,
            (SELECT COALESCE(json_agg(n.gift || ' #' || n.serial ORDER BY n.id), '[]') FROM trade_items i
             JOIN nfts n ON n.id = i.nft_id WHERE i.trade_id = p.trade_id)::text,
            p.created_at, p.version
            """,
        from: "trade_proposals p JOIN trades t ON t.id = p.trade_id",
        condition: "p.state = 'pending'",
        filterColumns: [
            .userName(id: "t.owner_id"), .userName(id: "p.proposer_id"),
            "(SELECT string_agg(n.gift || ' #' || n.serial, ', ') FROM trade_proposal_items i JOIN nfts n ON n.id = i.nft_id WHERE i.proposal_id = p.id)",
            "(SELECT string_agg(n.gift || ' #' || n.serial, ', ') FROM trade_items i JOIN nfts n ON n.id = i.nft_id WHERE i.trade_id = p.trade_id)",
        ],
        sorts: [
            ("created_at", [.init("p.created_at", "timestamptz"), .init("p.id", "bigint")]),
            ("id", [.init("p.id", "bigint")]),
            ("trade_id", [.init("p.trade_id", "bigint"), .init("p.id", "bigint")]),
            ("owner", [.init(owner, "text"), .init("p.id", "bigint")]),
            ("proposer", [.init(proposer, "text"), .init("p.id", "bigint")]),
        ],
        defaultSort: "created_at")

    private static let owner = "(SELECT u.name FROM users u WHERE u.id = t.owner_id)"
    private static let proposer = "(SELECT u.name FROM users u WHERE u.id = p.proposer_id)"

    init(row: PostgresRow) throws {
        self.init(id: try row.decode(at: 0), tradeID: try row.decode(at: 1), ownerID: try row.decode(at: 2),
                  owner: try row.decode(at: 3), proposerID: try row.decode(at: 4), proposer: try row.decode(at: 5),
                  items: try row.decodeJSON([String].self, at: 6), tradeItems: try row.decodeJSON([String].self, at: 7),
                  createdAt: try row.decode(at: 8), version: try row.decode(at: 9))
    }
}
