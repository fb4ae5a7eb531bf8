/// A market rule refused an operation. `description` is a sentence for the person who asked
/// ("auction 42 ended 3 s ago"); every one rolls back as `.ruleRejected`.
public struct MarketError: Error, RollbackClassifying, CustomStringConvertible, Sendable, Equatable {
    /// Which rule refused the operation. Open for growth: compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The entity does not exist (or was deleted).
        public static let notFound = Code("not_found")
        /// The entity is not in a state that allows this (already sold, ended, not pending…).
        public static let invalidState = Code("invalid_state")
        /// The payer's balance does not cover the amount.
        public static let insufficientFunds = Code("insufficient_funds")
        /// An amount, price or argument is out of range.
        public static let invalidArgument = Code("invalid_argument")
        /// The actor does not own what they act on.
        public static let notOwner = Code("not_owner")
        /// The operator's role does not allow this action.
        public static let forbidden = Code("forbidden")
        /// A channel's gifts changed since it was listed.
        public static let giftsChanged = Code("gifts_changed")
        /// The row changed since the operator looked at it (its `version` is not the one they saw).
        public static let changed = Code("changed")
        /// The action needs a second operator: request it (``Market/requestApproval(_:target:expectedVersion:by:)``).
        public static let needsApproval = Code("needs_approval")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `.changed`: `what` is no longer at the version the operator acted on; `now` says what it is.
    static func changed(_ what: String, now: String) -> MarketError {
        MarketError(.changed, "\(what) changed since you looked (now: \(now)) — review and confirm again")
    }

    public var rollbackReason: RollbackReason { .ruleRejected }
    public var description: String { message }
}
