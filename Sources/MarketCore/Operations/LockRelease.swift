/// A lock an operator released: whose it was, and the fence that now refuses that holder's commits.
public struct ReleasedLock: Sendable, Equatable {
    /// A lock holder as the lock registry names it.
    public struct Holder: Sendable, Equatable {
        public let host: String
        public let pid: Int32
        /// The operation the holder named when it took the lock.
        public let operation: String
        /// The holder's fencing token: its Units of Work can no longer commit.
        public let fence: Int64
    }

    /// The lock key, e.g. `auction:bid:42`.
    public let key: String
    /// Who held the lock until now.
    public let previousHolder: Holder
    /// The fence committed for the key by this release; the next holder's is higher.
    public let newFence: Int64
    /// True when this release deleted the holder's Redis key; false when the holder let go (or its
    /// lease ran out) between the check and the delete — its fence is superseded either way.
    public let deletedKey: Bool
}

extension Market {
    /// An on-call engineer (or admin) releases a lock whose holder is gone or stuck; the database's
    /// `mc_op_release_lock` checks the login's role and commits the fence with the audit row.
    ///
    /// The holder is read from the lock registry and must still hold the key; a new fence is taken
    /// from the global fence counter and committed for the key together with the audit row, so the
    /// old holder's commits fail their fence check from then on. Only after that commit is the
    /// Redis key deleted — if it still holds the old holder's token — and its waiters woken, so
    /// a new holder can take the lock at once. If that delete fails (Redis went away) its error is
    /// thrown, but the fence is committed: the old holder can no longer commit, and its key expires
    /// with its lease.
    ///
    /// ```swift
    /// let released = try await market.releaseLock(key: "auction:bid:42", by: request)
    /// print("fence \(released.previousHolder.fence) superseded by \(released.newFence)")
    /// ```
    /// - Parameters:
    ///   - expectedFence: the holder's fence the operator looked at; when given and the lock has
    ///     changed hands since, the release is refused with ``MarketError/Code/changed``.
    /// - Throws: ``MarketError`` — `.notFound` when no lock `key` is held, `.changed`, `.forbidden`,
    ///   `.invalidState` while Redis is unreachable and locks are on the fallback.
    public func releaseLock(key: String, expectedFence: Int64? = nil, by request: OperatorRequest) async throws -> ReleasedLock {
        let locks = services.locks
        guard locks.mode == .redis else {
            throw MarketError(.invalidState, "Redis is unreachable and locks are on \(locks.mode.label): release-lock works on Redis "
                              + "locks only, and a fallback advisory lock is freed when its holder's PostgreSQL session ends")
        }
        let requested = ContinuousClock.now
        let takeover: LockTakeover
        do {
            takeover = try await locks.prepareTakeover(of: key, expectedFence: expectedFence)
        } catch let refusal as LockTakeoverRefusal {
            switch refusal {
            case .notHeld:
                throw MarketError(.notFound, "no lock \(key) is held")
            case .expired(let host, let pid, let fence):
                throw MarketError(.notFound, "no lock \(key) is held: the lease of \(host):\(pid) (fence \(fence)) ran out")
            case .holderChanging:
                throw MarketError(.changed, "lock \(key) is changing hands right now — look again")
            case .otherFence(let host, let pid, let operation, let fence):
                throw MarketError.changed("lock \(key)", now: "held by \(host):\(pid) for \(operation), fence \(fence)")
            }
        }
        ExecutionRecord.recordLock("take over \(key) from \(takeover.host):\(takeover.pid) (fence \(takeover.fence); new fence \(takeover.newFence))",
                                   waitedSince: requested)
        let holder = ReleasedLock.Holder(host: takeover.host, pid: takeover.pid, operation: takeover.operation, fence: takeover.fence)
        let detail = "held by \(holder.host):\(holder.pid) for \(holder.operation) with fence \(holder.fence); "
            + "fence \(takeover.newFence) committed"
        try await database.withUnitOfWork(named: "lock.release") { uow in
            try await uow.operatorCall("SELECT mc_op_release_lock(\(key), \(takeover.newFence), \(request.reason), \(detail))",
                                       action: .releaseLock, target: key, reason: request.reason)
        }
        let deleted = try await locks.completeTakeover(takeover)
        return ReleasedLock(key: key, previousHolder: holder, newFence: takeover.newFence, deletedKey: deleted)
    }
}
