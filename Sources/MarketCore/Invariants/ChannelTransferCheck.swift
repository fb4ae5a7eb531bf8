extension InvariantCheck {
    /// channel-transfer: a channel has at most one pending transfer; it is `in_transfer` exactly
    /// when it has one; a pending transfer's seller is the channel's owner.
    static let channelTransfer = InvariantCheck(id: "channel-transfer", findViolations: channelTransferViolations)

    private static func channelTransferViolations(in snapshot: InvariantSnapshot) async throws -> [InvariantViolation] {
        let offenders = try await snapshot.offenders("""
            WITH pending AS (
                SELECT t.channel_id, count(*) AS pending_transfers,
                       count(*) FILTER (WHERE t.seller_id <> c.owner_id) AS foreign_sellers,
                       string_agg(format('channel_transfers id=%s channel_id=%s seller_id=%s buyer_id=%s price=%s state=%s',
                                         t.id, t.channel_id, t.seller_id, t.buyer_id, t.price, t.state),
                                  E'\\n' ORDER BY t.id) AS transfer_rows
                FROM channel_transfers t JOIN channels c ON c.id = t.channel_id
                WHERE t.state = 'pending'
                GROUP BY t.channel_id
            )
            SELECT c.id, c.owner_id, c.title, c.state, c.price,
                   COALESCE(p.pending_transfers, 0) AS pending_transfers,
                   COALESCE(p.foreign_sellers, 0) AS foreign_sellers, p.transfer_rows,
                   count(*) OVER () AS offender_count
            FROM channels c LEFT JOIN pending p ON p.channel_id = c.id
            WHERE COALESCE(p.pending_transfers, 0) > 1
               OR (c.state = 'in_transfer') <> (COALESCE(p.pending_transfers, 0) = 1)
               OR COALESCE(p.foreign_sellers, 0) > 0
            ORDER BY c.id LIMIT \(reportLimit)
            """)
        return try channelTransfer.violations(offenders, noun: "channels") { row in
            let id = try row.decode(Int64.self, column: "id")
            let owner = try row.decode(Int64.self, column: "owner_id")
            let state = try row.decode(String.self, column: "state")
            let pending = try row.decode(Int.self, column: "pending_transfers")
            let foreignSellers = try row.decode(Int.self, column: "foreign_sellers")
            var problems: [String] = []
            if pending > 1 { problems.append("it has \(pending) pending transfers at once") }
            if state == "in_transfer" && pending == 0 { problems.append("state is in_transfer but it has no pending transfer") }
            if state != "in_transfer" && pending > 0 { problems.append("it has a pending transfer but its state is \(state)") }
            if foreignSellers > 0 { problems.append("a pending transfer's seller is not its owner (user \(owner))") }
            return ("channel \(id): " + problems.joined(separator: "; "),
                    [row.rendered(as: "channels", ["id", "owner_id", "title", "state", "price"])]
                        + (try row.renderedLines(column: "transfer_rows")))
        }
    }
}
