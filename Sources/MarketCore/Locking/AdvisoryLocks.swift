/// PostgreSQL advisory locks: the stand-in while Redis is unreachable.
///
/// Each holder keeps one connection of a dedicated pool with a session-level
/// `pg_advisory_lock(hashtextextended(key, 0))`; the wait is bounded by `lock_timeout`, and a
/// holder that dies loses the lock with its session. Fencing tokens come from the `lock_fence_seq`
/// sequence, raised above the fence last committed for the same key (fences only have to grow per
/// key: that is what `mc_check_fence` compares).
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
                        "SELECT set_config('lock_timeout', \(waitMilliseconds), false)",
                        "SELECT pg_advisory_lock(hashtextextended(\(key), 0))",
                        "SELECT GREATEST(nextval('lock_fence_seq'), COALESCE((SELECT fence FROM lock_fences WHERE lock_key = \(key)), 0) + 1)",
                        "SELECT set_config('lock_timeout', '0', false)",
                    ])
                } onCancel: {
                    connection.cancelRunningStatement()
                }
                fence = try results[2].rows[0].decode(Int64.self, at: 0)
            } catch let error as PostgresError where error.code == .lockNotAvailable {
                await dropSessionLocks(on: connection)
                let waited = started.duration(to: .now)
                stats?.recordLock(key: key, .timedOut(wait: waited))
                throw LockError(.timeout, key: key, message: "lock \(key) (advisory fallback) not free after waiting "
                                + "\(Int(waited.milliseconds)) ms")
            } catch {
                // The lock may have been granted before a later statement failed (a cancel, say).
                await dropSessionLocks(on: connection)
                throw error
            }
            let waited = started.duration(to: .now)
            stats?.recordLock(key: key, .acquired(wait: waited, contended: waited > .milliseconds(1)))
            do {
                let result = try await body(fence)
                await unlock(key, on: connection)
                return result
            } catch {
                await unlock(key, on: connection)
                throw error
            }
        }
    }

    /// Session-level advisory locks outlive transactions: a connection that cannot prove it let go
    /// of this one is cleared, or closed, before it goes back to the pool.
    private func unlock(_ key: String, on connection: PostgresConnection) async {
        let released = try? await connection.query("SELECT pg_advisory_unlock(hashtextextended(\(key), 0))")
            .rows.first?.decode(Bool.self, at: 0)
        if released != true { await dropSessionLocks(on: connection) }
    }

    private func dropSessionLocks(on connection: PostgresConnection) async {
        if (try? await connection.simpleQuery("SELECT pg_advisory_unlock_all(); SET lock_timeout = 0")) == nil {
            await connection.close()
        }
    }

    /// The highest fencing token any Unit of Work has committed (a full scan: only read when Redis'
    /// counter is raised after a restart or a stretch on the fallback).
    func highestCommittedFence() async throws -> Int64 {
        let result = try await pool.query("SELECT COALESCE(max(fence), 0) FROM lock_fences")
        return try result.rows[0].decode(Int64.self, at: 0)
    }
}
