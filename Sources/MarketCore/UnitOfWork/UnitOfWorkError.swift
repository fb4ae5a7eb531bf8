/// A Unit of Work whose COMMIT failed.
///
/// Errors thrown inside the closure (BEGIN travels with its first statement) are rethrown
/// unchanged, so callers can match their domain errors; this type marks a failure of the commit.
public struct UnitOfWorkError: Error, RollbackClassifying, CustomStringConvertible, CustomDebugStringConvertible {
    public let operation: String
    public let underlying: any Error
    /// True when COMMIT was sent and the connection broke before its answer: the transaction may
    /// or may not have committed. Do not retry blindly; resolve by the operation's idempotency key.
    public let outcomeUnknown: Bool

    public var rollbackReason: RollbackReason {
        if outcomeUnknown { return .error }
        return RollbackReason.classify(underlying)
    }

    public var description: String {
        if outcomeUnknown {
            return "\(operation): the connection broke after COMMIT was sent; the outcome is unknown"
        }
        return "\(operation): COMMIT failed: \(underlying)"
    }

    public var debugDescription: String {
        description + " [\(String(reflecting: underlying))]"
    }
}
