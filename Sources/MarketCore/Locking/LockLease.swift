import Synchronization

/// Proof of holding a distributed lock, handed to the body of `withLock`.
///
/// Carries the fencing token that a Unit of Work checks before it commits. The lease belongs to the
/// `withLock` call that made it, not to a thread or task: it is renewed in the background while the
/// body runs and released when the body returns, on every path.
public final class LockLease: Sendable {
    /// The lock key, e.g. `auction:bid:42`.
    public let key: String
    /// The random value stored under the key; only its holder can release or extend.
    public let token: String
    /// Monotonic per key across acquisitions; 0 when no lock was taken (`noop` mode).
    public let fence: Int64
    /// How the lock was taken.
    public let mode: LockMode
    /// The lease length; renewed every third of it.
    public let ttl: Duration
    /// The operation the holder named, shown in the lock registry.
    public let operation: String
    /// When the lease was granted (monotonic clock).
    public let acquiredAt: ContinuousClock.Instant
    /// When the lease was granted (wall clock, ms since 1970), as the lock registry shows it.
    let acquiredWallMilliseconds: Int64

    private let state: Mutex<LeaseState>

    init(key: String, token: String, fence: Int64, mode: LockMode, ttl: Duration, operation: String,
         requestedAt: ContinuousClock.Instant, acquiredWallMilliseconds: Int64 = 0) {
        self.key = key
        self.acquiredWallMilliseconds = acquiredWallMilliseconds
        self.token = token
        self.fence = fence
        self.mode = mode
        self.ttl = ttl
        self.operation = operation
        self.acquiredAt = .now
        self.state = Mutex(LeaseState(validUntil: requestedAt + Self.validity(of: ttl)))
    }

    /// How long a lease can be trusted after the request that granted or extended it was sent:
    /// the TTL less an allowance for clock drift between this host and Redis.
    static func validity(of ttl: Duration) -> Duration {
        ttl - ttl / 100 - .milliseconds(2)
    }

    /// True once the lease is known to be gone; the body has been cancelled then.
    public var isLost: Bool { state.withLock { $0.lostReason != nil } }

    /// Why the lease was lost, if it was.
    public var lostReason: String? { state.withLock { $0.lostReason } }

    /// Time left before the lease may have expired, by this process' monotonic clock.
    public var remainingValidity: Duration {
        state.withLock { ContinuousClock.now.duration(to: $0.validUntil) }
    }

    /// When the lease was last granted or extended (monotonic).
    var lastRenewal: ContinuousClock.Instant {
        state.withLock { $0.validUntil - Self.validity(of: ttl) }
    }

    /// Marks a renewal as under way; false when one already is.
    func beginRenewal() -> Bool {
        state.withLock { state in
            if state.renewing { return false }
            state.renewing = true
            return true
        }
    }

    func endRenewal() {
        state.withLock { $0.renewing = false }
    }

    func extended(requestedAt: ContinuousClock.Instant) {
        state.withLock { $0.validUntil = requestedAt + Self.validity(of: ttl) }
    }

    /// Marks the lease lost and cancels the body; true the first time.
    @discardableResult
    func markLost(_ reason: String) -> Bool {
        let cancel = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.lostReason == nil else { return nil }
            state.lostReason = reason
            return state.cancelBody ?? {}
        }
        cancel?()
        return cancel != nil
    }

    /// Claims the writing of the lease's registry entry; true the first time.
    func claimRegistration() -> Bool {
        state.withLock { state in
            if state.registered { return false }
            state.registered = true
            return true
        }
    }

    func attachBody(cancel: @escaping @Sendable () -> Void) {
        let alreadyLost = state.withLock { state -> Bool in
            state.cancelBody = cancel
            return state.lostReason != nil
        }
        if alreadyLost { cancel() }
    }

    /// Throws ``LockError/Code/leaseLost`` when the lease is gone.
    func ensureHeld() throws {
        if let reason = lostReason {
            throw LockError(.leaseLost, key: key, message: "lock \(key) was lost before commit: \(reason)")
        }
    }
}

private struct LeaseState {
    var validUntil: ContinuousClock.Instant
    var lostReason: String?
    var cancelBody: (@Sendable () -> Void)?
    var renewing = false
    var registered = false
}
