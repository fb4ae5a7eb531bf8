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
    /// KEYS: lock, fence counter, registry. ARGV: token, ttl ms, key, holder (`host|pid|operation`).
    /// Returns `{1, fence}` when acquired, `{0, pttl}` when held by someone else.
    static let acquire = RedisScript("""
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          local fence = redis.call('INCR', KEYS[2])
          local t = redis.call('TIME')
          local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
          redis.call('HSET', KEYS[3], ARGV[3], ARGV[4] .. '|' .. fence .. '|' .. now .. '|' .. ARGV[2] .. '|' .. ARGV[1])
          return {1, fence}
        end
        return {0, redis.call('PTTL', KEYS[1])}
        """)

    /// KEYS: lock, registry, waiters. ARGV: token, key, release channel.
    /// Deletes the lock only for its holder (1), else leaves it alone (0).
    static let release = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        local entry = redis.call('HGET', KEYS[2], ARGV[2])
        if entry and string.sub(entry, -string.len(ARGV[1])) == ARGV[1] then redis.call('HDEL', KEYS[2], ARGV[2]) end
        if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PUBLISH', ARGV[3], ARGV[2]) end
        return 1
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
