/// How a Unit of Work retries serialization failures and deadlocks: the whole closure runs again
/// in a new transaction, after a capped, jittered, exponential pause.
public struct ConflictRetryPolicy: Sendable {
    public var maxAttempts: Int
    public var backoff: RetryPolicy

    public init(maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(2), maxDelay: Duration = .milliseconds(100)) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = RetryPolicy(maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay, jitter: 0.5)
    }

    public static let `default` = ConflictRetryPolicy()
}
