/// The Lua scripts and key names of the Redis lock.
///
/// Keys, under the configured namespace `ns`:
/// - `ns lock:{key}`: the lock itself, value = the holder's token, with a PX expiry;
/// - `ns lock:fence`: the fencing-token counter (one counter: tokens are monotonic per key and globally);
/// - `ns lock:fence:synced:{service}`: set by one lock service when it raised the counter above every
///   committed fence over its current link, deleted by every new link of that service (the link may
///   lead to another server now: a promoted replica's counter can be behind);
/// - `ns lock:held`: the registry hash, field = lock key, value = `host|pid|operation|fence|acquiredMs|ttlMs|token`,
///   written once the lock has been held for `LockService.registrationDelay` (off the holder's path)
///   and removed by the release;
/// - `ns lock:held:by-age` and `ns lock:held:by-key`: the registry's two orders, sorted sets whose
///   members all score 0 so they sort by member: `{acquiredMs, 15 digits}|{key}` and `{key}`.
///   Written and removed by the same scripts as the registry entry, so the console can page the
///   registry with `ZRANGEBYLEX … LIMIT` instead of reading all of it;
/// - `ns lock:waiters:{key}`: a sorted set of waiters, scored by the wall-clock ms their wait ends;
/// - channel `ns lock:released`: a key's name is published there on release while it has waiters.
package struct LockKeys: Sendable {
    let namespace: String

    package func lock(_ key: String) -> String { "\(namespace)lock:\(key)" }
    var fenceCounter: String { "\(namespace)lock:fence" }
    func fenceSynced(_ service: String) -> String { "\(namespace)lock:fence:synced:\(service)" }
    var registry: String { "\(namespace)lock:held" }
    var registryByAge: String { "\(namespace)lock:held:by-age" }
    var registryByKey: String { "\(namespace)lock:held:by-key" }
    /// The registry and its two orders, in the order the scripts take them as KEYS[1...3].
    var registryKeys: [RedisArgument] { [RedisArgument(registry), RedisArgument(registryByAge), RedisArgument(registryByKey)] }

    /// The lock key of a by-age member (`{acquiredMs, 15 digits}|{key}`, see ``LockScripts/registryIndex``).
    static func key(ofAgeMember member: String) -> String {
        guard let bar = member.firstIndex(of: "|") else { return member }
        return String(member[member.index(after: bar)...])
    }
    func waiters(_ key: String) -> String { "\(namespace)lock:waiters:\(key)" }
    var releasedChannel: String { "\(namespace)lock:released" }
}

package enum LockScripts {
    /// KEYS: lock, fence counter, the caller's fence-synced marker. ARGV: token, ttl ms.
    /// Returns `{1, fence}` when acquired, `{0, pttl}` when held by someone else, and `{-1, 0}`
    /// when the fence counter is missing (Redis lost its data) or the caller has not raised it over
    /// this link (it may be a promoted replica): the caller raises it above every committed fence first.
    package static let acquire = RedisScript("""
        if redis.call('EXISTS', KEYS[2], KEYS[3]) < 2 then return {-1, 0} end
        if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
          return {1, redis.call('INCR', KEYS[2])}
        end
        return {0, redis.call('PTTL', KEYS[1])}
        """)

    /// Lua shared by the scripts that write the registry (KEYS[1]) and its orders (KEYS[2], KEYS[3]):
    /// `unregister(key)` drops a key's entry and its index members; `register(key, entry)` replaces it.
    static let registryIndex = """
        local function agemember(entry, key)
          local ms = string.match(entry, '^[^|]*|[^|]*|[^|]*|[^|]*|(%d+)|') or '0'
          return string.rep('0', 15 - #ms) .. ms .. '|' .. key
        end
        local function unregister(key)
          local old = redis.call('HGET', KEYS[1], key)
          if old then
            redis.call('ZREM', KEYS[2], agemember(old, key))
            redis.call('ZREM', KEYS[3], key)
            redis.call('HDEL', KEYS[1], key)
          end
        end
        local function register(key, entry)
          unregister(key)
          redis.call('HSET', KEYS[1], key, entry)
          redis.call('ZADD', KEYS[2], 0, agemember(entry, key))
          redis.call('ZADD', KEYS[3], 0, key)
        end

        """

    /// The registry and release work of many locks in one call, in order.
    ///
    /// KEYS: registry, its by-age and by-key orders, then per operation: its lock (and, for a
    /// release, its waiters set). ARGV: release channel, then per operation `A token key entry`
    /// (register a holder, if the token still holds the lock) or `R token key` (release: delete the
    /// lock only for its holder, drop its registry entry, and tell other processes' waiters on the
    /// channel). Returns, per release, 1 (released) or 0 (the token no longer held the lock).
    static let bookkeeping = RedisScript(registryIndex + """
        local k, a, released = 4, 2, {}
        while a <= #ARGV do
          local lock, token, key = KEYS[k], ARGV[a + 1], ARGV[a + 2]
          if ARGV[a] == 'A' then
            if redis.call('GET', lock) == token then register(key, ARGV[a + 3]) end
            k, a = k + 1, a + 4
          else
            local waiters = KEYS[k + 1]
            k, a = k + 2, a + 3
            if redis.call('GET', lock) == token then
              redis.call('DEL', lock)
              unregister(key)
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

    /// KEYS: fence counter, the caller's fence-synced marker. ARGV: floor, marker ttl ms. Creates
    /// the counter, or raises it to at least the floor, and sets the marker.
    static let raiseFenceFloor = RedisScript("""
        redis.call('SET', KEYS[2], '1', 'PX', ARGV[2])
        local current = redis.call('GET', KEYS[1])
        local floor = tonumber(ARGV[1])
        if not current or tonumber(current) < floor then redis.call('SET', KEYS[1], ARGV[1]) return floor end
        return tonumber(current)
        """)

    /// KEYS: registry, by-age, by-key. ARGV: key, expected value. Removes a stale registry entry
    /// and its index members unless it changed; 1 when removed.
    static let dropStaleEntry = RedisScript(registryIndex + """
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
          unregister(ARGV[1])
          return 1
        end
        return 0
        """)
}
