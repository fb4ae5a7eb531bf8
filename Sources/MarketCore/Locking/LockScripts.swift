/// The Lua scripts and key names of the Redis lock.
///
/// Keys, under the configured namespace `ns`:
/// - `ns lock:{key}`: the lock itself, value = the holder's token, with a PX expiry;
/// - `ns lock:fence`: the fencing-token counter (one counter: tokens are monotonic per key and globally);
/// - `ns lock:held`: the registry hash, field = lock key, value = `host|pid|operation|fence|acquiredMs|ttlMs|token`,
///   written just after the acquisition (off its critical path) and removed by the release;
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
    /// KEYS: lock, fence counter. ARGV: token, ttl ms.
    /// Returns `{1, fence}` when acquired, `{0, pttl}` when held by someone else, and `{-1, 0}`
    /// when the fence counter is missing (Redis lost its data): the caller raises it above every
    /// committed fence first.
    static let acquire = RedisScript("""
        if redis.call('EXISTS', KEYS[2]) == 0 then return {-1, 0} end
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return {1, redis.call('INCR', KEYS[2])}
        end
        return {0, redis.call('PTTL', KEYS[1])}
        """)

    /// The registry and release work of many locks in one call, in order.
    ///
    /// KEYS: registry, then per operation: its lock (and, for a release, its waiters set).
    /// ARGV: release channel, then per operation `A token key entry` (register a holder, if the
    /// token still holds the lock) or `R token key` (release: delete the lock only for its holder,
    /// drop its registry entry, and tell other processes' waiters on the channel). Returns, per
    /// release, 1 (released) or 0 (the token no longer held the lock).
    static let bookkeeping = RedisScript("""
        local k, a, released = 2, 2, {}
        while a <= #ARGV do
          local lock, token, key = KEYS[k], ARGV[a + 1], ARGV[a + 2]
          if ARGV[a] == 'A' then
            if redis.call('GET', lock) == token then redis.call('HSET', KEYS[1], key, ARGV[a + 3]) end
            k, a = k + 1, a + 4
          else
            local waiters = KEYS[k + 1]
            k, a = k + 2, a + 3
            if redis.call('GET', lock) == token then
              redis.call('DEL', lock)
              redis.call('HDEL', KEYS[1], key)
              if redis.call('EXISTS', waiters) == 1 then redis.call('PUBLISH', ARGV[1], key) end
              released[#released + 1] = 1
            else
              released[#released + 1] = 0
            end
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

    /// KEYS: fence counter. ARGV: floor. Creates the counter, or raises it to at least the floor.
    static let raiseFenceFloor = RedisScript("""
        local current = redis.call('GET', KEYS[1])
        local floor = tonumber(ARGV[1])
        if not current or tonumber(current) < floor then redis.call('SET', KEYS[1], ARGV[1]) return floor end
        return tonumber(current)
        """)

    /// KEYS: registry. ARGV: key, expected value. Removes a stale registry entry unless it changed.
    static let dropStaleEntry = RedisScript("""
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
        return 0
        """)
}
