/// A market rule refused an operation. `description` is a sentence for the person who asked
/// ("auction 42 ended 3 s ago"); every one rolls back as `.ruleRejected`.
public struct MarketError: Error, RollbackClassifying, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// The entity does not exist (or was deleted).
        case notFound
        /// The entity is not in a state that allows this (already sold, ended, not pending…).
        case invalidState
        /// The payer's balance does not cover the amount.
        case insufficientFunds
        /// An amount, price or argument is out of range.
        case invalidArgument
        /// The actor does not own what they act on.
        case notOwner
        /// The operator's role does not allow this action.
        case forbidden
        /// A channel's gifts changed since it was listed.
        case giftsChanged
        /// The row changed since the operator looked at it (its `version` is not the one they saw).
        case changed
        /// The action needs a second operator: request it (``Market/requestApproval(_:target:expectedVersion:by:)``).
        case needsApproval
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `.changed`: `what` is no longer at the version the operator acted on; `now` says what it is.
    static func changed(_ what: String, now: String) -> MarketError {
        MarketError(.changed, "\(what) changed since you looked (now: \(now)) — review and confirm again")
    }

    public var rollbackReason: RollbackReason { .ruleRejected }
    public var description: String { message }
}
