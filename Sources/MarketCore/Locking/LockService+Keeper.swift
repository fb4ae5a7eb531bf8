extension LockService {
    /// One pass of the background keeper: probe Redis while in fallback, register leases held for
    /// ``LockService/registrationDelay``, renew leases that are due.
    func keeperTick() async {
        followMasterSwitch()
        if mode != .redis { await probeRedis() }
        let now = ContinuousClock.now
        for lease in activeLeases where lease.mode == .redis && !lease.isLost {
            if lease.acquiredAt + Self.registrationDelay <= now, lease.claimRegistration() {
                register(lease)
            }
            if lease.remainingValidity <= .zero {
                // Renewal did not get through in time (a slow or hung call): the lease may be gone.
                if lease.markLost("its lease ran out before a renewal got through") {
                    stats?.recordLock(key: lease.key, .lost)
                }
            } else if lease.lastRenewal + lease.ttl / 3 <= now, lease.beginRenewal() {
                // Each renewal on its own: one slow call must not hold back the others.
                Task {
                    await self.renew(lease)
                    lease.endRenewal()
                }
            }
        }
    }

    /// Queues the registry entry of a lease that has been held a while (see ``LockService/registrationDelay``).
    private func register(_ lease: LockLease) {
        bookkeeper?.enqueue(.register(key: lease.key, token: lease.token, entry: registryEntry(
            operation: lease.operation, fence: lease.fence, acquiredMilliseconds: lease.acquiredWallMilliseconds,
            ttlMilliseconds: Self.milliseconds(lease.ttl), token: lease.token)))
    }

    private func renew(_ lease: LockLease) async {
        let requestedAt = ContinuousClock.now
        do {
            if try await extend(key: lease.key, token: lease.token, ttl: lease.ttl) {
                lease.extended(requestedAt: requestedAt)
            } else if isActive(lease), lease.markLost("its lease expired and the key is gone or held by another holder") {
                stats?.recordLock(key: lease.key, .lost)
                logger.error("lock \(lease.key) (fence \(lease.fence)) lost: lease expired; body cancelled")
            }
        } catch {
            stats?.recordLock(key: lease.key, .renewalFailed)
            logger.error("renewing lock \(lease.key) failed: \(error)")
            if lease.remainingValidity < lease.ttl / 3, isActive(lease),
               lease.markLost("renewal kept failing (\(error)); cancelled before its TTL ran out") {
                stats?.recordLock(key: lease.key, .lost)
            }
            if let redisError = error as? RedisError, redisError.isConnectionFailure { noteRedisFailure(error) }
        }
    }

    private func isActive(_ lease: LockLease) -> Bool {
        activeLeases.contains { $0 === lease }
    }

    /// At most once a second while Redis is down: PING, and on success go back to Redis locks.
    private func probeRedis() async {
        guard let redis else { return }
        if let last = lastProbe, last.duration(to: .now) < .seconds(1) { return }
        lastProbe = .now
        do {
            _ = try await redis.send("PING")
            try await syncFenceFloor()
            noteRedisRecovered()
            waitQueue.wakeAll()
        } catch {
            logger.debug("Redis still unreachable: \(error)")
        }
    }
}
