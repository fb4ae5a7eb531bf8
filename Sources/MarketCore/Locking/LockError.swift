/// Why a distributed lock could not be had or kept.
public struct LockError: Error, RollbackClassifying, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The lock stayed held by someone else for the whole wait.
        case timeout
        /// Redis is unreachable and the policy is fail-closed.
        case unavailable
        /// The lease expired or was taken over while the holder still worked.
        case leaseLost
        /// The Unit of Work carried a fencing token older than one already committed for the key.
        case staleFence
        /// A release or extension by someone who does not hold the lock.
        case notOwned
    }

    public let kind: Kind
    public let key: String
    public let message: String

    public init(_ kind: Kind, key: String, message: String) {
        self.kind = kind
        self.key = key
        self.message = message
    }

    public var rollbackReason: RollbackReason {
        switch kind {
        case .timeout, .unavailable: .lockTimeout
        case .leaseLost, .staleFence, .notOwned: .conflict
        }
    }

    public var description: String { message }
}
