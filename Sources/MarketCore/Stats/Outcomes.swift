/// Why a Unit of Work rolled back, in the classes the console charts.
public enum RollbackReason: String, Sendable, CaseIterable, Codable {
    /// A business rule refused the operation ("auction 42 ended 3 s ago").
    case ruleRejected = "rule"
    /// Serialization failure, deadlock or a stale lock fence: contention between writers.
    case conflict
    /// A distributed lock or a row lock was not had in time.
    case lockTimeout = "lock_timeout"
    /// A Telegram or TON call failed.
    case externalFailure = "external"
    /// Anything else: a bug, a lost connection, a cancelled task.
    case error
}

/// How one Unit of Work ended.
public enum UnitOfWorkOutcome: Sendable, Hashable {
    case commit
    case rollback(RollbackReason)
}

/// An error that knows which rollback class it belongs to. Domain rule errors conform with
/// `.ruleRejected`; anything that does not conform is classified by ``RollbackReason/classify(_:)``.
public protocol RollbackClassifying: Error {
    var rollbackReason: RollbackReason { get }
}

extension RollbackReason {
    /// The class of a thrown error.
    public static func classify(_ error: any Error) -> RollbackReason {
        if let classified = error as? any RollbackClassifying { return classified.rollbackReason }
        if let postgres = error as? PostgresError {
            if postgres.isTransientConflict { return .conflict }
            if postgres.code == .lockNotAvailable { return .lockTimeout }
        }
        return .error
    }
}
