import Foundation

extension LockService {
    /// Takes `key` on Redis, waiting in this process' FIFO queue and waking on releases.
    func acquireOnRedis(_ key: String, operation: String, ttl: Duration, wait: Duration,
                        started: ContinuousClock.Instant) async throws -> LockLease {
        if !fenceFloorSynced { try await syncFenceFloor() }
        let token = tokens.next()
        // The fast path only when nobody here waits already: a newcomer must not overtake the queue.
        if waitQueue.count(key) == 0, let lease = try await attempt(key, token: token, operation: operation, ttl: ttl).lease {
            stats?.recordLock(key: key, .acquired(wait: started.duration(to: .now), contended: false))
            return try await keepUnlessCancelled(lease)
        }
        let deadline = started + wait
        let ticket = waitQueue.enter(key)
        let member = "\(identity.name)#\(ticket)"
        await registerWaiter(key, member: member, waitingFor: wait)
        defer {
            waitQueue.leave(key, ticket: ticket)
            Task { await self.unregisterWaiter(key, member: member) }
        }
        guard try await waitQueue.waitForTurn(key, ticket: ticket, timeout: ContinuousClock.now.duration(to: deadline)) else {
            throw await timeout(key, operation: operation, waited: started.duration(to: .now))
        }
        while true {
            try Task.checkCancellation()
            let result = try await attempt(key, token: token, operation: operation, ttl: ttl)
            if let lease = result.lease {
                stats?.recordLock(key: key, .acquired(wait: started.duration(to: .now), contended: true))
                return try await keepUnlessCancelled(lease)
            }
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else {
                throw await timeout(key, operation: operation, waited: started.duration(to: .now))
            }
            // Woken by the release; the timer only covers a lost pub/sub message or an expiry.
            let untilExpiry = Duration.milliseconds(max(result.holderTTLMilliseconds, 1)) + .milliseconds(1)
            try await waitQueue.sleepAsHead(key, timeout: min(remaining, untilExpiry, .milliseconds(250)))
        }
    }

    private struct Attempt {
        var lease: LockLease?
        var holderTTLMilliseconds: Int64 = 0
    }

    private func attempt(_ key: String, token: String, operation: String, ttl: Duration,
                         resyncs: Int = 0) async throws -> Attempt {
        guard let redis else { throw RedisError(code: .closed, message: "no Redis configured") }
        let requestedAt = ContinuousClock.now
        let ttlMilliseconds = Self.milliseconds(ttl)
        let reply = try await LockScripts.acquire.run(
            on: redis, keys: [RedisArgument(keys.lock(key))] + fenceKeys,
            arguments: [RedisArgument(token), RedisArgument(ttlMilliseconds)])
        let parts = reply.array
        guard parts.count == 2, let flag = parts[0].integer, let value = parts[1].integer else {
            throw RedisError(code: .commandFailed, message: "unexpected reply from the lock script: \(reply)")
        }
        if flag == -1 {
            // Again only if the link changed between raising and acquiring (a failover in between).
            guard resyncs < 3 else {
                throw RedisError(code: .commandFailed, message: "the lock fence counter is still missing after raising it")
            }
            try await syncFenceFloor()
            return try await attempt(key, token: token, operation: operation, ttl: ttl, resyncs: resyncs + 1)
        }
        guard flag == 1 else { return Attempt(holderTTLMilliseconds: value) }
        // Registered by the keeper once held for `registrationDelay`, not here.
        return Attempt(lease: LockLease(key: key, token: token, fence: value, mode: .redis, ttl: ttl, operation: operation,
                                        requestedAt: requestedAt,
                                        acquiredWallMilliseconds: Int64(Date().timeIntervalSince1970 * 1000)))
    }

    /// This process' registry entry for a lock it holds: `host|pid|operation|fence|acquiredMs|ttlMs|token`.
    package func registryEntry(operation: String, fence: Int64, acquiredMilliseconds: Int64, ttlMilliseconds: Int64,
                       token: String) -> String {
        let cleanOperation = operation.contains("|") ? operation.replacingOccurrences(of: "|", with: "/") : operation
        return holderPrefix + cleanOperation + "|\(fence)|\(acquiredMilliseconds)|\(ttlMilliseconds)|\(token)"
    }

    /// A task cancelled while its acquire was in flight gives the lock straight back.
    private func keepUnlessCancelled(_ lease: LockLease) async throws -> LockLease {
        guard Task.isCancelled else { return lease }
        _ = try? await release(key: lease.key, token: lease.token)
        waitQueue.wake(lease.key)
        throw CancellationError()
    }

    private func timeout(_ key: String, operation: String, waited: Duration) async -> LockError {
        stats?.recordLock(key: key, .timedOut(wait: waited))
        if !operation.isEmpty { stats?.recordUnitOfWork(operation: operation, outcome: .rollback(.lockTimeout), duration: waited) }
        var holder = ""
        if let redis, let entry = try? await redis.send("HGET", RedisArgument(keys.registry), RedisArgument(key)).string {
            let fields = entry.split(separator: "|", omittingEmptySubsequences: false)
            if fields.count >= 4 { holder = " held by \(fields[0]):\(fields[1]) (\(fields[2]), fence \(fields[3]))" }
        }
        let seconds = String(format: "%.1f", waited.milliseconds / 1000)
        return LockError(.timeout, key: key, message: "lock \(key)\(holder) not free after waiting \(seconds) s")
    }

    private func registerWaiter(_ key: String, member: String, waitingFor wait: Duration) async {
        guard let redis else { return }
        let until = Int64(Date().timeIntervalSince1970 * 1000) + Self.milliseconds(wait)
        _ = try? await redis.pipeline([
            ["ZADD", RedisArgument(keys.waiters(key)), RedisArgument(until), RedisArgument(member)],
            ["PEXPIRE", RedisArgument(keys.waiters(key)), RedisArgument(Self.milliseconds(wait) + 1000)],
        ])
    }

    private func unregisterWaiter(_ key: String, member: String) async {
        _ = try? await redis?.send("ZREM", RedisArgument(keys.waiters(key)), RedisArgument(member))
    }

    /// The fence counter and this service's marker that it raised it over the current link: the
    /// acquire script's KEYS after the lock.
    package var fenceKeys: [RedisArgument] { [RedisArgument(keys.fenceCounter), RedisArgument(fenceSyncedKey)] }

    /// Fences the old master may have issued that never reached the promoted replica, at most: after
    /// a failover the counter is raised this far above every committed fence, so a new fence never
    /// equals one still held under the old master (equal fences would both pass the commit check).
    static let fenceGapAfterFailover: Int64 = 1_000_000

    /// Raises Redis' fence counter above every fence PostgreSQL has committed, so tokens stay
    /// monotonic after a Redis restart, a failover or a stretch on advisory locks.
    package func syncFenceFloor() async throws {
        guard let redis else { return }
        let sentinel = redis.configuration.sentinel
        // The master the raise goes to must be known before the gap is chosen: make the link
        // first, and raise again if the master moved meanwhile (raising is idempotent).
        for _ in 0..<3 {
            _ = try await redis.send("PING")
            let epoch = sentinel?.epoch ?? 0
            let moved = state.withLock { $0.fencedEpoch != epoch }
            let committed = try await advisory.highestCommittedFence()
            let floor = committed + (moved ? Self.fenceGapAfterFailover : 0)
            _ = try await LockScripts.raiseFenceFloor.run(on: redis, keys: fenceKeys,
                                                          arguments: [RedisArgument(floor), RedisArgument(Self.fenceSyncedMilliseconds)])
            logger.debug("lock fence counter raised to at least \(floor)")
            if (sentinel?.epoch ?? 0) == epoch {
                state.withLock { $0.fencedEpoch = epoch }
                fenceFloorSynced = true
                return
            }
        }
        throw RedisError(code: .connectionFailed, message: "the Redis master kept moving while the fence counter was raised")
    }

    /// How long a fence-synced marker lives: past it, the next acquisition raises the counter again.
    static let fenceSyncedMilliseconds: Int64 = 600_000
}
