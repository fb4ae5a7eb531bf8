/// A lock an operator is taking away from its holder: who holds it (from the registry), the
/// holder's token, and the newer fence that, once committed for the key, refuses the holder's commits.
struct LockTakeover: Sendable {
    let key: String
    let host: String
    let pid: Int32
    let operation: String
    let fence: Int64
    let token: String
    let newFence: Int64
}

/// Why a takeover could not be prepared; the caller turns it into a sentence for the operator.
enum LockTakeoverRefusal: Error, Sendable {
    /// The registry has no entry for the key.
    case notHeld
    /// The registry names a holder whose key is gone: its lease ran out.
    case expired(host: String, pid: Int32, fence: Int64)
    /// The key is held by another token than the registry names (a new holder not registered yet).
    case holderChanging
    /// The holder's fence is not the one the operator saw.
    case otherFence(host: String, pid: Int32, operation: String, fence: Int64)
}

extension LockService {
    /// KEYS: registry, lock, fence counter, this service's fence-synced marker. ARGV: lock key,
    /// expected fence ('' for any).
    /// Returns `{0}` (no registry entry), `{1, entry, current token}` (the entry's holder no longer
    /// holds the key), `{2, entry}` (another fence than expected), `{-1}` (the fence counter, or the
    /// marker that this service raised it over the current link, is missing: after a restart or a
    /// failover the counter may lie below fences already handed out), or `{3, entry, new fence}`:
    /// the entry's holder still holds the key and a new fence was taken from the counter, all in
    /// one step so no holder can come or go in between.
    private static let takeover = RedisScript("""
        local entry = redis.call('HGET', KEYS[1], ARGV[1])
        if not entry then return {0} end
        local current = redis.call('GET', KEYS[2])
        if current ~= string.match(entry, '([^|]*)$') then return {1, entry, current or ''} end
        if ARGV[2] ~= '' and string.match(entry, '^[^|]*|[^|]*|[^|]*|([^|]*)|') ~= ARGV[2] then return {2, entry} end
        if redis.call('EXISTS', KEYS[3], KEYS[4]) < 2 then return {-1} end
        return {3, entry, redis.call('INCR', KEYS[3])}
        """)

    /// Reads `key`'s holder from the registry and, if that holder still holds the key (and has
    /// `expectedFence`, when given), takes a new fence from the global counter for it.
    ///
    /// Nothing is released yet: the caller commits the new fence for the key first (so the old
    /// holder's commits fail their fence check), then calls ``completeTakeover(_:)``.
    /// - Throws: ``LockTakeoverRefusal``, or ``RedisError``.
    func prepareTakeover(of key: String, expectedFence: Int64?, resynced: Bool = false) async throws -> LockTakeover {
        guard let redis else { throw RedisError(code: .closed, message: "no Redis configured") }
        let reply = try await Self.takeover.run(
            on: redis, keys: [RedisArgument(keys.registry), RedisArgument(keys.lock(key))] + fenceKeys,
            arguments: [RedisArgument(key), RedisArgument(expectedFence.map(String.init) ?? "")]).array
        guard let status = reply.first?.integer else {
            throw RedisError(code: .commandFailed, message: "unexpected reply from the lock takeover script: \(reply)")
        }
        if status == 0 { throw LockTakeoverRefusal.notHeld }
        if status == -1 {
            guard !resynced else {
                throw RedisError(code: .commandFailed, message: "the lock fence counter is still missing after raising it")
            }
            try await syncFenceFloor()
            return try await prepareTakeover(of: key, expectedFence: expectedFence, resynced: true)
        }
        guard reply.count >= 2, let entry = reply[1].string else {
            throw RedisError(code: .commandFailed, message: "unexpected reply from the lock takeover script: \(reply)")
        }
        let fields = entry.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 7 else {
            throw RedisError(code: .commandFailed, message: "lock registry entry of \(key) is malformed: \(entry)")
        }
        let host = fields[0], pid = Int32(fields[1]) ?? 0, operation = fields[2], fence = Int64(fields[3]) ?? 0
        switch status {
        case 1:
            if reply.count >= 3, reply[2].string?.isEmpty == false { throw LockTakeoverRefusal.holderChanging }
            throw LockTakeoverRefusal.expired(host: host, pid: pid, fence: fence)
        case 2:
            throw LockTakeoverRefusal.otherFence(host: host, pid: pid, operation: operation, fence: fence)
        default:
            guard reply.count >= 3, let newFence = reply[2].integer else {
                throw RedisError(code: .commandFailed, message: "unexpected reply from the lock takeover script: \(reply)")
            }
            return LockTakeover(key: key, host: host, pid: pid, operation: operation, fence: fence, token: fields[6],
                                newFence: newFence)
        }
    }

    /// Once the takeover's fence is committed: deletes the key if the old holder's token still
    /// holds it and drops its registry entry (the release script every holder uses), and wakes the
    /// key's waiters — in this process directly, in others through the release channel. False when
    /// the old holder had already let go (or its lease ran out) in the meantime.
    func completeTakeover(_ takeover: LockTakeover) async throws -> Bool {
        guard let bookkeeper else { return false }
        let deleted = try await bookkeeper.releaseNow(key: takeover.key, token: takeover.token)
        waitQueue.wake(takeover.key)
        return deleted
    }
}
