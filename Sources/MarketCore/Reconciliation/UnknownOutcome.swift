/// A pending channel transfer or withdrawal whose gateway call ended "unknown": what the
/// reconciler needs to ask the gateway about it and to settle it at the version it read.
public struct UnknownOutcome: Sendable, Equatable {
    public var kind: PendingTransferKind
    /// The `channel_transfers` or `withdrawals` row.
    public var id: Int64
    public var version: Int64
    /// The request's idempotency key at the gateway.
    public var gatewayKey: String
    /// Transfers: the market's channel, Telegram's channel and the buyer. Withdrawals: the user
    /// (whose lock settles it) in `user`.
    public var channel: Int64?
    public var telegramChannel: Int64?
    public var user: Int64

    /// `channel:7` or `withdrawal:12`, as the transfers view names it.
    public var name: String { "\(kind.rawValue):\(id)" }

    /// Pending rows whose outcome is unknown: the market's own call has returned (an attempt is
    /// recorded) or, with none recorded, the row is older than `staleAfter` seconds (its process
    /// died mid-call). Unless `ignoringBackoff`, only those whose next ask is due. Oldest first.
    static func due(on pool: PostgresPool, limit: Int, staleAfter: Int, ignoringBackoff: Bool) async throws -> [UnknownOutcome] {
        let transfers = try await pool.query("""
            SELECT t.id, t.version, t.gateway_key, t.channel_id, c.telegram_channel_id, t.buyer_id
            FROM channel_transfers t JOIN channels c ON c.id = t.channel_id
            WHERE t.state = 'pending' AND (t.attempts > 0 OR t.created_at < now() - make_interval(secs => \(staleAfter)))
              AND (\(ignoringBackoff) OR t.reconcile_after IS NULL OR t.reconcile_after <= now())
            ORDER BY t.created_at, t.id LIMIT \(limit)
            """).rows.map { row in
            UnknownOutcome(kind: .channel, id: try row.decode(at: 0), version: try row.decode(at: 1), gatewayKey: try row.decode(at: 2),
                           channel: try row.decode(at: 3), telegramChannel: try row.decode(at: 4), user: try row.decode(at: 5))
        }
        let withdrawals = try await pool.query("""
            SELECT w.id, w.version, w.user_id FROM withdrawals w
            WHERE w.state = 'pending' AND (w.attempts > 0 OR w.created_at < now() - make_interval(secs => \(staleAfter)))
              AND (\(ignoringBackoff) OR w.reconcile_after IS NULL OR w.reconcile_after <= now())
            ORDER BY w.created_at, w.id LIMIT \(limit)
            """).rows.map { row in
            let id = try row.decode(Int64.self, at: 0)
            return UnknownOutcome(kind: .withdrawal, id: id, version: try row.decode(at: 1), gatewayKey: "withdrawal:\(id)",
                                  channel: nil, telegramChannel: nil, user: try row.decode(at: 2))
        }
        return transfers + withdrawals
    }
}
