import Foundation

/// What a pending transfer moves: a channel to its buyer, or money out to a TON address.
public enum PendingTransferKind: String, Sendable, Codable {
    case channel, withdrawal
}

/// A channel transfer or a withdrawal still pending: an external call whose outcome is not
/// committed yet, or was unknown and waits for an admin.
public struct PendingTransfer: Sendable, Equatable, Codable, Identifiable {
    /// `"channel:7"` or `"withdrawal:12"`: the kind and the row's id.
    public var id: String
    /// A channel transfer or a withdrawal.
    public var kind: PendingTransferKind
    /// The `channel_transfers` or `withdrawals` row's id.
    public var entityID: Int64
    /// The channel's title, or the withdrawal's destination address.
    public var subject: String
    /// The buyer, or the withdrawing user.
    public var user: String
    /// The channel's price in escrow, or the amount withdrawn.
    public var amount: Int64
    /// External calls made so far.
    public var attempts: Int
    /// Why the last call did not settle it, if it said.
    public var lastError: String?
    /// When the transfer was committed as pending.
    public var createdAt: Date
    /// When its row last changed.
    public var updatedAt: Date
    /// Raised by every change of its row.
    public var version: Int64
    /// The distributed lock its operations take: `channel:buy:<channel>` or `withdraw:<user>`.
    public var lockKey: String

    /// A pending transfer as the console shows it; ``id`` is made of `kind` and `entityID`.
    public init(kind: PendingTransferKind, entityID: Int64, subject: String, user: String, amount: Int64, attempts: Int,
                lastError: String?, createdAt: Date, updatedAt: Date, version: Int64, lockKey: String) {
        self.id = "\(kind.rawValue):\(entityID)"
        self.kind = kind
        self.entityID = entityID
        self.subject = subject
        self.user = user
        self.amount = amount
        self.attempts = attempts
        self.lastError = lastError
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
        self.lockKey = lockKey
    }
}

extension PendingTransfer {
    /// Pending channel transfers and pending withdrawals as one list. Each side is read through its
    /// `… WHERE state = 'pending'` partial index; ties are broken by kind, then id. The filter
    /// matches the subject, the user, the id (`channel:7`) and the last error.
    static let source = KeysetSource(
        name: "pending transfers",
        columns: """
            x.kind, x.id, x.subject, x.user_name, x.amount, x.attempts, x.last_error, x.created_at, x.updated_at, x.version,
            x.lock_key
            """,
        from: """
            (SELECT 'channel' AS kind, t.id, c.title AS subject, u.name AS user_name, t.price AS amount, t.attempts,
                    t.last_error, t.created_at, t.updated_at, t.version, 'channel:buy:' || t.channel_id AS lock_key
             FROM channel_transfers t JOIN channels c ON c.id = t.channel_id JOIN users u ON u.id = t.buyer_id
             WHERE t.state = 'pending'
             UNION ALL
             SELECT 'withdrawal', w.id, w.destination, u.name, w.amount, w.attempts, w.last_error, w.created_at,
                    w.updated_at, w.version, 'withdraw:' || w.user_id
             FROM withdrawals w JOIN users u ON u.id = w.user_id
             WHERE w.state = 'pending') x
            """,
        condition: "true",
        filterColumns: ["x.subject", "x.user_name", "x.kind || ':' || x.id", "x.last_error"],
        sorts: [
            ("created_at", [.init("x.created_at", "timestamptz"), .init("x.kind", "text"), .init("x.id", "bigint")]),
            ("updated_at", [.init("x.updated_at", "timestamptz"), .init("x.kind", "text"), .init("x.id", "bigint")]),
            ("amount", [.init("x.amount", "bigint"), .init("x.kind", "text"), .init("x.id", "bigint")]),
            ("attempts", [.init("x.attempts", "integer"), .init("x.kind", "text"), .init("x.id", "bigint")]),
            ("id", [.init("x.kind", "text"), .init("x.id", "bigint")]),
        ],
        defaultSort: "created_at")

    init(row: PostgresRow) throws {
        let kindText = try row.decode(String.self, at: 0)
        guard let kind = PendingTransferKind(rawValue: kindText) else {
            throw PostgresError(code: .decodingFailed, message: "unknown pending transfer kind \(kindText)")
        }
        self.init(kind: kind, entityID: try row.decode(at: 1), subject: try row.decode(at: 2), user: try row.decode(at: 3),
                  amount: try row.decode(at: 4), attempts: try row.decode(at: 5), lastError: try row.decode(String?.self, at: 6),
                  createdAt: try row.decode(at: 7), updatedAt: try row.decode(at: 8), version: try row.decode(at: 9),
                  lockKey: try row.decode(at: 10))
    }
}
