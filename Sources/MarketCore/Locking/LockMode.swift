/// What the lock layer does when Redis cannot be reached.
public enum LockFallbackPolicy: String, Sendable, CaseIterable {
    /// Take PostgreSQL advisory locks instead (the default).
    case advisory
    /// Refuse every locked operation until Redis is back.
    case failClosed = "fail-closed"
    /// Run without a lock, as the seed did. Only when explicitly configured; logged loudly.
    case noop
}

/// How locks are being taken right now; the console shows it in its status bar.
public enum LockMode: String, Sendable, Equatable {
    /// Redis locks with fencing tokens: the normal state.
    case redis
    /// Redis is unreachable; PostgreSQL advisory locks stand in.
    case advisory
    /// Redis is unreachable and locked operations are refused.
    case failClosed = "fail-closed"
    /// Redis is unreachable and operations run unlocked.
    case noop

    /// A short label for status lines.
    public var label: String {
        switch self {
        case .redis: "redis"
        case .advisory: "advisory fallback"
        case .failClosed: "fail-closed"
        case .noop: "NO LOCKS"
        }
    }
}
