import Foundation

/// One operator action from the audit log (`operator_actions`).
public struct AuditEntry: Sendable, Equatable, Codable, Identifiable {
    /// The `operator_actions` row id.
    public var id: Int64
    /// When the action committed.
    public var at: Date
    /// The operator's name.
    public var `operator`: String
    /// The role the operator had when acting.
    public var role: String
    /// What was done, e.g. `cancel_auction`.
    public var action: String
    /// What was acted on, e.g. `auction:42`.
    public var target: String
    /// The reason the operator gave.
    public var reason: String
    /// How it ended, e.g. `done`.
    public var outcome: String
    /// What the action changed, when it said (e.g. the amount refunded).
    public var detail: String?

    /// An audit entry as the console shows it.
    public init(id: Int64, at: Date, operator: String, role: String, action: String, target: String, reason: String,
                outcome: String, detail: String?) {
        self.id = id
        self.at = at
        self.operator = `operator`
        self.role = role
        self.action = action
        self.target = target
        self.reason = reason
        self.outcome = outcome
        self.detail = detail
    }
}

extension AuditEntry {
    /// The audit log, newest first by default along `operator_actions_recent`. The filter matches
    /// every text column.
    static let source = KeysetSource(
        name: "the audit log",
        columns: "o.id, o.created_at, o.operator, o.role, o.action, o.target, o.reason, o.outcome, o.detail",
        from: "operator_actions o",
        condition: "true",
        filterColumns: ["o.operator", "o.role", "o.action", "o.target", "o.reason", "o.outcome", "o.detail"],
        sorts: [
            ("at", [.init("o.created_at", "timestamptz"), .init("o.id", "bigint")]),
            ("id", [.init("o.id", "bigint")]),
            ("operator", [.init("o.operator", "text"), .init("o.id", "bigint")]),
            ("action", [.init("o.action", "text"), .init("o.id", "bigint")]),
        ],
        defaultSort: "at",
        defaultDescending: true)

    init(row: PostgresRow) throws {
        self.init(id: try row.decode(at: 0), at: try row.decode(at: 1), operator: try row.decode(at: 2),
                  role: try row.decode(at: 3), action: try row.decode(at: 4), target: try row.decode(at: 5),
                  reason: try row.decode(at: 6), outcome: try row.decode(at: 7), detail: try row.decode(String?.self, at: 8))
    }
}
