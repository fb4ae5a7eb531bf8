/// One broken invariant, with the rows that show it.
public struct InvariantViolation: Sendable, Equatable, CustomStringConvertible {
    /// The invariant's short id: `ledger-total`, `user-balance`, `held-total`, `nft-owner-state`,
    /// `presale-oversold`, `withdrawal-key-unique`, `auction-bid` or `channel-transfer`.
    public let invariant: String
    /// A sentence for an operator, naming the entity: `user 17: balance 5 + held 3 = 8 but ledger sum is 10`.
    public let message: String
    /// The rows involved, each rendered as `table id=… col=val …`.
    public let rows: [String]

    public init(invariant: String, message: String, rows: [String] = []) {
        self.invariant = invariant
        self.message = message
        self.rows = rows
    }

    /// `invariant: message`, then one indented line per row.
    public var description: String {
        ([invariant + ": " + message] + rows.map { "    " + $0 }).joined(separator: "\n")
    }
}
