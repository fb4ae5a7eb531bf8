extension InvariantCheck {
    /// nft-owner-state: every NFT's state agrees with the rows around it.
    ///
    /// - `in_auction` ⇔ exactly one active auction, whose seller is the NFT's owner;
    /// - `in_trade` ⇔ in an open trade or a pending proposal — in at most one at a time, offered by its owner;
    /// - `listed` ⇔ it has a price;
    /// - its owner exists, and a deleted owner has no listed or in-auction NFT.
    static let nftOwnerState = InvariantCheck(id: "nft-owner-state", findViolations: nftOwnerStateViolations)

    private static func nftOwnerStateViolations(in snapshot: InvariantSnapshot) async throws -> [InvariantViolation] {
        let offenders = try await snapshot.offenders("""
            WITH auction_facts AS (
                SELECT a.nft_id, count(*) AS active_auctions,
                       count(*) FILTER (WHERE a.seller_id <> n.owner_id) AS foreign_auctions,
                       string_agg(format('auctions id=%s nft_id=%s seller_id=%s state=%s', a.id, a.nft_id, a.seller_id, a.state),
                                  E'\\n' ORDER BY a.id) AS auction_rows
                FROM auctions a JOIN nfts n ON n.id = a.nft_id
                WHERE a.state = 'active'
                GROUP BY a.nft_id
            ), memberships AS (
                SELECT ti.nft_id, t.owner_id AS offered_by, 1 AS kind, t.id,
                       format('trades id=%s owner_id=%s state=%s', t.id, t.owner_id, t.state) AS row_text
                FROM trade_items ti JOIN trades t ON t.id = ti.trade_id
                WHERE t.state = 'open'
                UNION ALL
                SELECT pi.nft_id, p.proposer_id, 2, p.id,
                       format('trade_proposals id=%s trade_id=%s proposer_id=%s state=%s', p.id, p.trade_id, p.proposer_id, p.state)
                FROM trade_proposal_items pi JOIN trade_proposals p ON p.id = pi.proposal_id
                WHERE p.state = 'pending'
            ), trade_facts AS (
                SELECT m.nft_id, count(*) AS trade_memberships,
                       count(*) FILTER (WHERE m.offered_by <> n.owner_id) AS foreign_memberships,
                       string_agg(m.row_text, E'\\n' ORDER BY m.kind, m.id) AS trade_rows
                FROM memberships m JOIN nfts n ON n.id = m.nft_id
                GROUP BY m.nft_id
            ), facts AS (
                SELECT n.id, n.gift, n.owner_id, n.state, n.price,
                       u.id IS NOT NULL AS owner_exists, u.deleted_at IS NOT NULL AS owner_deleted,
                       u.id AS user_id, u.name AS user_name, u.deleted_at AS user_deleted_at,
                       COALESCE(af.active_auctions, 0) AS active_auctions,
                       COALESCE(af.foreign_auctions, 0) AS foreign_auctions, af.auction_rows,
                       COALESCE(tf.trade_memberships, 0) AS trade_memberships,
                       COALESCE(tf.foreign_memberships, 0) AS foreign_memberships, tf.trade_rows
                FROM nfts n
                LEFT JOIN users u ON u.id = n.owner_id
                LEFT JOIN auction_facts af ON af.nft_id = n.id
                LEFT JOIN trade_facts tf ON tf.nft_id = n.id
            )
            SELECT *, count(*) OVER () AS offender_count FROM facts
            WHERE (state = 'in_auction') <> (active_auctions = 1) OR active_auctions > 1
               OR (state = 'in_trade') <> (trade_memberships > 0) OR trade_memberships > 1
               OR (state = 'listed') <> (price IS NOT NULL)
               OR foreign_auctions > 0 OR foreign_memberships > 0
               OR NOT owner_exists OR (owner_deleted AND state IN ('in_auction', 'listed'))
            ORDER BY id LIMIT \(reportLimit)
            """)
        return try nftOwnerState.violations(offenders, noun: "NFTs") { row in
            let facts = try NFTStateFacts(row)
            var rows = [row.rendered(as: "nfts", ["id", "gift", "owner_id", "state", "price"])]
            if !facts.ownerExists || facts.ownerDeleted {
                rows.append(row.rendered(as: "users", ["id": "owner_id", "name": "user_name", "deleted_at": "user_deleted_at"]))
            }
            rows += try row.renderedLines(column: "auction_rows") + row.renderedLines(column: "trade_rows")
            return ("nft \(facts.id): " + facts.problems.joined(separator: "; "), rows)
        }
    }
}

/// What the nft-owner-state query found about one NFT, and the sentences that explain it.
private struct NFTStateFacts {
    let id: Int64
    let ownerID: Int64
    let state: String
    let price: Int64?
    let ownerExists: Bool
    let ownerDeleted: Bool
    let activeAuctions: Int
    let foreignAuctions: Int
    let tradeMemberships: Int
    let foreignMemberships: Int

    init(_ row: PostgresRow) throws {
        id = try row.decode(column: "id")
        ownerID = try row.decode(column: "owner_id")
        state = try row.decode(column: "state")
        price = try row.decode(Int64?.self, column: "price")
        ownerExists = try row.decode(column: "owner_exists")
        ownerDeleted = try row.decode(column: "owner_deleted")
        activeAuctions = try row.decode(column: "active_auctions")
        foreignAuctions = try row.decode(column: "foreign_auctions")
        tradeMemberships = try row.decode(column: "trade_memberships")
        foreignMemberships = try row.decode(column: "foreign_memberships")
    }

    var problems: [String] {
        var problems: [String] = []
        if state == "in_auction" && activeAuctions == 0 { problems.append("state is in_auction but it has no active auction") }
        if state != "in_auction" && activeAuctions > 0 { problems.append("it has an active auction but its state is \(state)") }
        if activeAuctions > 1 { problems.append("it is in \(activeAuctions) active auctions at once") }
        if foreignAuctions > 0 { problems.append("an active auction's seller is not its owner (user \(ownerID))") }
        if state == "in_trade" && tradeMemberships == 0 {
            problems.append("state is in_trade but it is in no open trade or pending proposal")
        }
        if state != "in_trade" && tradeMemberships > 0 {
            problems.append("it is in an open trade or pending proposal but its state is \(state)")
        }
        if tradeMemberships > 1 { problems.append("it is in \(tradeMemberships) open trades/pending proposals at once") }
        if foreignMemberships > 0 { problems.append("it is offered in a trade or proposal by someone other than its owner (user \(ownerID))") }
        if state == "listed" && price == nil { problems.append("state is listed but it has no price") }
        if state != "listed", let price { problems.append("it has price \(price) but its state is \(state)") }
        if !ownerExists { problems.append("its owner user \(ownerID) does not exist") }
        if ownerDeleted && (state == "listed" || state == "in_auction") {
            problems.append("its owner user \(ownerID) is deleted but it is still \(state)")
        }
        return problems
    }
}
