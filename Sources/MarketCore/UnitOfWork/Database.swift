/// The market's database: a connection pool and the Units of Work that run on it.
///
/// ```swift
/// let balance = try await database.withUnitOfWork(named: "account.deposit", lease: lease) { uow in
///     try await uow.query("SELECT balance FROM users WHERE id = \(id) FOR UPDATE OF users")
///     …
/// }
/// ```
/// `BEGIN` … `COMMIT`, rolled back on any thrown error; serialization failures and deadlocks rerun
/// the closure (bounded); the connection always returns to the pool. With a lock lease, the
/// transaction also takes a shared advisory lock on the key (so it cannot overlap a fallback
/// holder of the same key) and, before COMMIT, proves the lease still holds and that its fencing
/// token is not older than one already committed for the key. Every outcome is recorded under the
/// operation's name.
public final class Database: Sendable {
    public let pool: PostgresPool
    public let stats: StatsRecorder?
    public let conflictRetry: ConflictRetryPolicy
    let leaseConfirmer: (any LeaseConfirming)?

    public init(pool: PostgresPool, stats: StatsRecorder? = nil, conflictRetry: ConflictRetryPolicy = .default,
                locks: LockService? = nil) {
        self.pool = pool
        self.stats = stats
        self.conflictRetry = conflictRetry
        self.leaseConfirmer = locks
    }

    /// Runs `body` in a transaction; see the type's documentation.
    ///
    /// - Throws: what `body` throws (after rolling back), ``LockError`` when the lease is lost or
    ///   its fence is stale, ``UnitOfWorkError`` when COMMIT fails.
    @discardableResult
    public func withUnitOfWork<T>(named operation: String, lease: LockLease? = nil,
                                  _ body: (UnitOfWork) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        var attempt = 1
        while true {
            let attemptStarted = ContinuousClock.now
            do {
                let result = try await pool.withConnection { connection in
                    // On the thread that drives the connection: statements then cost no thread hop.
                    try await withTaskExecutorPreference(connection.taskExecutor) {
                        try await runOnce(operation, attempt: attempt, lease: lease, on: connection, body)
                    }
                }
                stats?.recordUnitOfWork(operation: operation, outcome: .commit, duration: started.duration(to: .now))
                return result
            } catch {
                let reason = RollbackReason.classify(error)
                let retry = (error as? PostgresError)?.isTransientConflict == true
                    || ((error as? UnitOfWorkError)?.underlying as? PostgresError)?.isTransientConflict == true
                if retry && attempt < conflictRetry.maxAttempts && !Task.isCancelled {
                    stats?.recordUnitOfWork(operation: operation, outcome: .rollback(reason),
                                            duration: attemptStarted.duration(to: .now))
                    try await Task.sleep(for: conflictRetry.backoff.delay(afterAttempt: attempt))
                    attempt += 1
                    continue
                }
                stats?.recordUnitOfWork(operation: operation, outcome: .rollback(reason), duration: started.duration(to: .now))
                throw error
            }
        }
    }

    private func runOnce<T>(_ operation: String, attempt: Int, lease: LockLease?, on connection: PostgresConnection,
                            _ body: (UnitOfWork) async throws -> T) async throws -> T {
        var opening: [PostgresQuery] = ["BEGIN"]
        if let lease, let limit = pool.configuration.idleInTransactionTimeout, lease.ttl / 2 < limit {
            // A lease shorter than the sessions' limit was made for: a stalled holder loses its row locks within it.
            opening.append("SELECT set_config('idle_in_transaction_session_timeout', \(String(max(1, (lease.ttl / 2).wholeMilliseconds))), true)")
        }
        if let lease, lease.mode == .redis {
            opening.append("SELECT pg_advisory_xact_lock_shared(hashtextextended(\(lease.key), 0))")
        }
        let uow = UnitOfWork(connection: connection, operation: operation, attempt: attempt, opening: opening)
        let result: T
        do {
            result = try await body(uow)
            if uow.hasBegun, let lease, lease.fence > 0 {
                try lease.ensureHeld()
                try await leaseConfirmer?.confirm(lease)
            }
        } catch {
            await rollback(connection, operation)
            for write in uow.writesAfterRollback {
                _ = try await ExecutionRecord.roundTrip([write], kind: .statements, unitOfWork: operation) { try await connection.query(write) }
            }
            throw error
        }
        // A closure that ran no statement opened no transaction: nothing to commit.
        guard uow.hasBegun else { return result }
        if connection.isTransactionFailed {
            // The closure caught a statement's error and went on: COMMIT would silently roll back.
            await rollback(connection, operation)
            throw UnitOfWorkError(operation: operation, underlying: PostgresError(
                code: .server, message: "a statement failed inside the transaction and the operation went on; nothing was committed"),
                outcomeUnknown: false)
        }
        try await commit(operation, lease: lease, leading: uow.statementsBeforeCommit, on: connection)
        return result
    }

    private func commit(_ operation: String, lease: LockLease?, leading: [PostgresQuery],
                        on connection: PostgresConnection) async throws {
        do {
            var statements = leading
            if let lease, lease.fence > 0 { statements.append("SELECT mc_check_fence(\(lease.key), \(lease.fence))") }
            try await ExecutionRecord.roundTrip(statements + ["COMMIT"], kind: .commit, unitOfWork: operation) {
                if statements.isEmpty {
                    _ = try await connection.simpleQuery("COMMIT")
                } else {
                    _ = try await connection.pipeline(statements + ["COMMIT"])
                }
            }
        } catch let error as PostgresError {
            if error.code == .connectionLost {
                throw UnitOfWorkError(operation: operation, underlying: error, outcomeUnknown: true)
            }
            await rollback(connection, operation)
            if error.sqlState == "MC409", let lease {
                leaseConfirmer?.fenceWasStale()
                stats?.recordLock(key: lease.key, .fenceRefused)
                throw LockError(.staleFence, key: lease.key,
                                message: "lock \(lease.key): fence \(lease.fence) is stale (\(error.message)); nothing committed")
            }
            throw UnitOfWorkError(operation: operation, underlying: error, outcomeUnknown: false)
        }
    }

    /// Rolls back if a transaction is open; a connection that cannot roll back is closed by the pool.
    private func rollback(_ connection: PostgresConnection, _ operation: String) async {
        guard connection.isInTransaction else { return }
        _ = try? await ExecutionRecord.roundTrip(["ROLLBACK"], kind: .rollback, unitOfWork: operation) {
            try await connection.simpleQuery("ROLLBACK")
        }
    }
}

/// Proves, just before COMMIT, that a lease still holds.
protocol LeaseConfirming: Sendable {
    func confirm(_ lease: LockLease) async throws
    /// A commit met a newer committed fence than the lease's: the fence counter may have gone
    /// back (Redis lost its data), so raise it again before the next acquisition.
    func fenceWasStale()
}

extension LockService: LeaseConfirming {
    func fenceWasStale() {
        fenceFloorSynced = false
        countFenceRefused()
    }

    /// A Redis lease with less than half its validity left is extended (compare-and-extend) first;
    /// if that fails the lease is lost and the transaction must not commit.
    func confirm(_ lease: LockLease) async throws {
        guard lease.mode == .redis else { return }
        try lease.ensureHeld()
        guard mode == .redis else {
            lease.markLost("Redis became unreachable")
            try lease.ensureHeld()
            return
        }
        guard lease.remainingValidity < lease.ttl / 2 else { return }
        let requestedAt = ContinuousClock.now
        let extended: Bool
        do {
            extended = try await extend(key: lease.key, token: lease.token, ttl: lease.ttl)
        } catch {
            lease.markLost("could not confirm the lease before commit: \(error)")
            try lease.ensureHeld()
            return
        }
        if extended {
            lease.extended(requestedAt: requestedAt)
        } else {
            lease.markLost("its lease expired before commit and the key is gone or held by another holder")
            stats?.recordLock(key: lease.key, .lost)
            try lease.ensureHeld()
        }
    }
}
