import Foundation

/// What the lock service does when Redis goes away or the Sentinel master moves, and the record of it.
extension LockService {
    /// The last Redis outage or failover this process went through, with what it cost; nil if none.
    public var lastOutage: RedisOutageReport? {
        state.withLock { state in
            guard var report = state.outage else { return nil }
            if report.endedAt == nil { report.fallbackSeconds = Date().timeIntervalSince(report.startedAt) }
            return report
        }
    }

    /// Called by the keeper: a master that moved under Sentinel makes every Redis lease untrustworthy
    /// (replication is asynchronous: the new master may never have seen them) and the fence counter
    /// must be raised again before the next fence is issued.
    func followMasterSwitch() {
        guard let sentinel = redis?.configuration.sentinel else { return }
        let epoch = sentinel.epoch
        let leases = state.withLock { state -> [LockLease]? in
            guard epoch != state.masterEpoch else { return nil }
            state.masterEpoch = epoch
            state.fenceFloorSynced = false
            let held = state.active.values.filter { $0.mode == .redis }
            if state.mode == .redis {
                // No outage noticed (nothing was in flight): the switch is one of no time on the fallback.
                let now = Date()
                state.outage = RedisOutageReport(startedAt: now, endedAt: now, serverBefore: sentinel.lastSwitch?.from,
                                                 serverAfter: sentinel.lastSwitch?.to, locksLost: 0, fencesRefused: 0,
                                                 fallbackSeconds: 0)
            }
            return held
        }
        guard let leases else { return }
        logger.warning("Redis master moved to \(sentinel.currentMaster?.description ?? "?"); Redis leases held now are given up")
        let lost = leases.filter { $0.markLost("the Redis master moved (Sentinel failover)") }
        for lease in lost { stats?.recordLock(key: lease.key, .lost) }
        state.withLock { $0.outage?.locksLost += lost.count }
        keepForRelease(lost)
        if mode == .redis { releaseLostLeases() }
    }

    /// Remembers leases given up, so that their keys, replicated to a promoted master (or still on
    /// a restarted one), do not block everyone until their TTL runs out.
    func keepForRelease(_ leases: [LockLease]) {
        state.withLock { state in
            state.lostLeases.append(contentsOf: leases.map { (key: $0.key, token: $0.token) })
            // Bounded: past this the rest expire with their TTL.
            if state.lostLeases.count > 10_000 { state.lostLeases.removeFirst(state.lostLeases.count - 10_000) }
        }
    }

    /// Releases the keys of the leases given up (compare-and-delete by token: a key someone else
    /// has taken since is left alone). Their waiters are told as for any release.
    func releaseLostLeases() {
        guard let bookkeeper else { return }
        let leases = state.withLock { state in
            defer { state.lostLeases.removeAll() }
            return state.lostLeases
        }
        for lease in leases { bookkeeper.enqueue(.release(key: lease.key, token: lease.token)) }
    }

    /// Starts the record of an outage (``noteRedisFailure(_:)``).
    func beginOutage(locksLost: Int) {
        let server = redis?.serverAddress
        state.withLock { state in
            state.outage = RedisOutageReport(startedAt: Date(), endedAt: nil, serverBefore: server, serverAfter: nil,
                                             locksLost: locksLost, fencesRefused: 0, fallbackSeconds: 0)
        }
    }

    /// Closes the record of the outage (``noteRedisRecovered()``).
    func endOutage() {
        let server = redis?.serverAddress
        state.withLock { state in
            guard var report = state.outage, report.endedAt == nil else { return }
            let now = Date()
            report.endedAt = now
            report.serverAfter = server
            report.fallbackSeconds = now.timeIntervalSince(report.startedAt)
            state.outage = report
        }
    }

    /// A commit was refused for a stale fence: counted against the last outage.
    func countFenceRefused() {
        state.withLock { $0.outage?.fencesRefused += 1 }
    }
}
