extension InvariantCheck {
    /// held-total: every non-platform user's held money is exactly what their top bids on active
    /// auctions, open offers and pending channel escrows reserve.
    static let heldTotal = InvariantCheck(id: "held-total", findViolations: heldTotalViolations)

    private static func heldTotalViolations(in snapshot: InvariantSnapshot) async throws -> [InvariantViolation] {
        let offenders = try await snapshot.offenders("""
            WITH holds AS (
                SELECT current_bidder_id AS user_id, 1 AS part, id, current_bid AS amount,
                       format('auctions id=%s nft_id=%s current_bid=%s state=%s', id, nft_id, current_bid, state) AS row_text
                FROM auctions WHERE state = 'active' AND current_bidder_id IS NOT NULL
                UNION ALL
                SELECT buyer_id, 2, id, amount,
                       format('offers id=%s nft_id=%s amount=%s state=%s', id, nft_id, amount, state)
                FROM offers WHERE state = 'open'
                UNION ALL
                SELECT buyer_id, 3, id, price,
                       format('channel_transfers id=%s channel_id=%s price=%s state=%s', id, channel_id, price, state)
                FROM channel_transfers WHERE state = 'pending'
            ), per_user AS (
                SELECT user_id,
                       COALESCE(sum(amount) FILTER (WHERE part = 1), 0) AS top_bids,
                       COALESCE(sum(amount) FILTER (WHERE part = 2), 0) AS open_offers,
                       COALESCE(sum(amount) FILTER (WHERE part = 3), 0) AS escrow,
                       string_agg(row_text, E'\\n' ORDER BY part, id) AS hold_rows
                FROM holds GROUP BY user_id
            )
            SELECT u.id, u.name, u.balance, u.held,
                   COALESCE(p.top_bids, 0) AS top_bids, COALESCE(p.open_offers, 0) AS open_offers,
                   COALESCE(p.escrow, 0) AS escrow,
                   COALESCE(p.top_bids, 0) + COALESCE(p.open_offers, 0) + COALESCE(p.escrow, 0) AS reserved,
                   p.hold_rows, count(*) OVER () AS offender_count
            FROM users u LEFT JOIN per_user p ON p.user_id = u.id
            WHERE NOT u.is_platform
              AND u.held <> COALESCE(p.top_bids, 0) + COALESCE(p.open_offers, 0) + COALESCE(p.escrow, 0)
            ORDER BY u.id LIMIT \(reportLimit)
            """)
        return try heldTotal.violations(offenders, noun: "users") { row in
            let id = try row.decode(Int64.self, column: "id")
            let held = try row.decode(Int64.self, column: "held")
            let topBids = try row.decode(String.self, column: "top_bids")
            let openOffers = try row.decode(String.self, column: "open_offers")
            let escrow = try row.decode(String.self, column: "escrow")
            let reserved = try row.decode(String.self, column: "reserved")
            return ("user \(id): held \(held) but top bids \(topBids) + open offers \(openOffers) "
                        + "+ channel escrow \(escrow) = \(reserved)",
                    [row.rendered(as: "users", ["id", "name", "balance", "held"])]
                        + (try row.renderedLines(column: "hold_rows")))
        }
    }
}
