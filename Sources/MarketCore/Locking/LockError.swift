/// Why a distributed lock could not be had or kept.
public struct LockError: Error, RollbackClassifying, CustomStringConvertible, Sendable {
    /// Why the lock was refused or lost. Open for growth: compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The lock stayed held by someone else for the whole wait.
        public static let timeout = Code("timeout")
        /// Redis is unreachable and the policy is fail-closed.
        public static let unavailable = Code("unavailable")
        /// The lease expired or was taken over while the holder still worked.
        public static let leaseLost = Code("lease_lost")
        /// The Unit of Work carried a fencing token older than one already committed for the key.
        public static let staleFence = Code("stale_fence")
        /// A release or extension by someone who does not hold the lock.
        public static let notOwned = Code("not_owned")
    }

    public let code: Code
    public let key: String
    public let message: String

    public init(_ code: Code, key: String, message: String) {
        self.code = code
        self.key = key
        self.message = message
    }

    /// Waiting out a lock (or an unreachable Redis) counts as a lock timeout; a lease that was lost,
    /// fenced off or not ours counts as a conflict, and so does any code added later.
    public var rollbackReason: RollbackReason {
        switch code {
        case .timeout, .unavailable: .lockTimeout
        default: .conflict
        }
    }

    public var description: String { message }
}
