/// A Unit of Work that failed outside its closure: at BEGIN, at COMMIT, or while rolling back.
///
/// Errors thrown by the closure itself are rethrown unchanged (so callers can match their domain
/// errors); this type says which step of the transaction failed around them.
public struct UnitOfWorkError: Error, RollbackClassifying, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Step: String, Sendable {
        case begin, commit
    }

    public let operation: String
    public let step: Step
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
        return "\(operation): \(step.rawValue) failed: \(underlying)"
    }

    public var debugDescription: String {
        description + " [\(String(reflecting: underlying))]"
    }
}
