/// PostgreSQL advisory locks: the stand-in while Redis is unreachable.
///
/// Each holder keeps one connection of a dedicated pool with a transaction open on it holding
/// `pg_advisory_xact_lock(hashtextextended(key, 0))` while its body runs; the wait is bounded by a
/// transaction-local `lock_timeout`, and a holder that dies loses the lock with its transaction.
/// Nothing outlives the transaction, so this works through a transaction pooler too. Fencing
/// tokens come from the `lock_fence_seq` sequence, raised above the fence last committed for the
/// same key (fences only have to grow per key: that is what `mc_check_fence` compares).
struct AdvisoryLocks: Sendable {
    let pool: PostgresPool

    func withLock<T: Sendable>(_ key: String, wait: Duration, stats: StatsRecorder?,
                               _ body: (Int64) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        return try await pool.withConnection { connection in
            let fence: Int64
            do {
                let waitMilliseconds = "\(LockService.milliseconds(wait))ms"
                let results = try await withTaskCancellationHandler {
                    try await connection.pipeline([
                        "BEGIN",
                        "SELECT set_config('lock_timeout', \(waitMilliseconds), true)",
                        "SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))",
                        "SELECT GREATEST(nextval('lock_fence_seq'), COALESCE((SELECT fence FROM lock_fences WHERE lock_key = \(key)), 0) + 1)",
                        "SELECT set_config('lock_timeout', '0', true)",
                    ])
                } onCancel: {
                    connection.cancelRunningStatement()
                }
                fence = try results[3].rows[0].decode(Int64.self, at: 0)
            } catch let error as PostgresError where error.code == .lockNotAvailable {
                await endTransaction(on: connection)
                let waited = started.duration(to: .now)
                stats?.recordLock(key: key, .timedOut(wait: waited))
                throw LockError(.timeout, key: key, message: "lock \(key) (advisory fallback) not free after waiting "
                                + "\(Int(waited.milliseconds)) ms")
            } catch {
                await endTransaction(on: connection)
                throw error
            }
            let waited = started.duration(to: .now)
            stats?.recordLock(key: key, .acquired(wait: waited, contended: waited > .milliseconds(1)))
            do {
                let result = try await body(fence)
                await endTransaction(on: connection)
                return result
            } catch {
                await endTransaction(on: connection)
                throw error
            }
        }
    }

    /// Lets go of the lock by ending its transaction (the fence drawn from the sequence stays
    /// drawn); a connection that cannot roll back is closed, which ends the transaction too.
    private func endTransaction(on connection: PostgresConnection) async {
        guard connection.isInTransaction else { return }
        if (try? await connection.simpleQuery("ROLLBACK")) == nil { await connection.close() }
    }

    /// The highest fencing token any Unit of Work has committed (a full scan: only read when Redis'
    /// counter is raised after a restart or a stretch on the fallback).
    func highestCommittedFence() async throws -> Int64 {
        let result = try await pool.query("SELECT COALESCE(max(fence), 0) FROM lock_fences")
        return try result.rows[0].decode(Int64.self, at: 0)
    }
}
