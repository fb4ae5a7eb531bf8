/// The Lua scripts and key names of the Redis lock.
///
/// Keys, under the configured namespace `ns`:
/// - `ns lock:{key}`: the lock itself, value = the holder's token, with a PX expiry;
/// - `ns lock:fence`: the fencing-token counter (one counter: tokens are monotonic per key and globally);
/// - `ns lock:held`: the registry hash, field = lock key, value = `host|pid|operation|fence|acquiredMs|ttlMs|token`;
/// - `ns lock:waiters:{key}`: a sorted set of waiters, scored by the wall-clock ms their wait ends;
/// - channel `ns lock:released`: a key's name is published there on release while it has waiters.
struct LockKeys: Sendable {
    let namespace: String

    func lock(_ key: String) -> String { "\(namespace)lock:\(key)" }
    var fenceCounter: String { "\(namespace)lock:fence" }
    var registry: String { "\(namespace)lock:held" }
    func waiters(_ key: String) -> String { "\(namespace)lock:waiters:\(key)" }
    var releasedChannel: String { "\(namespace)lock:released" }
}

enum LockScripts {
    /// KEYS: lock, fence counter, registry. ARGV: token, ttl ms, key, the registry entry before the
    /// fence (`host|pid|operation|`), the entry after it (`|acquiredMs|ttlMs|token`).
    /// Returns `{1, fence}` when acquired, `{0, pttl}` when held by someone else.
    static let acquire = RedisScript("""
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          local fence = redis.call('INCR', KEYS[2])
          redis.call('HSET', KEYS[3], ARGV[3], ARGV[4] .. fence .. ARGV[5])
          return {1, fence}
        end
        return {0, redis.call('PTTL', KEYS[1])}
        """)

    /// KEYS: registry, then per lock: lock, waiters. ARGV: release channel, then per lock: token, key.
    /// Deletes each lock only for its holder; returns 1 (released) or 0 (not held by that token) per
    /// lock. While a token holds its key, the registry entry is the holder's own (a newer holder
    /// would have replaced the token), so it goes too. Waiters elsewhere hear of it on the channel.
    static let release = RedisScript("""
        local released = {}
        for i = 1, (#KEYS - 1) / 2 do
          local lock, waiters, token, key = KEYS[2 * i], KEYS[2 * i + 1], ARGV[2 * i], ARGV[2 * i + 1]
          if redis.call('GET', lock) == token then
            redis.call('DEL', lock)
            redis.call('HDEL', KEYS[1], key)
            if redis.call('EXISTS', waiters) == 1 then redis.call('PUBLISH', ARGV[1], key) end
            released[i] = 1
          else
            released[i] = 0
          end
        end
        return released
        """)

    /// KEYS: lock. ARGV: token, ttl ms. Extends the lock only for its holder (1), else 0.
    static let extend = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """)

    /// KEYS: fence counter. ARGV: floor. Raises the counter to at least the floor.
    static let raiseFenceFloor = RedisScript("""
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        local floor = tonumber(ARGV[1])
        if current < floor then redis.call('SET', KEYS[1], ARGV[1]) return floor end
        return current
        """)

    /// KEYS: registry. ARGV: key, expected value. Removes a stale registry entry unless it changed.
    static let dropStaleEntry = RedisScript("""
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
        return 0
        """)
}
