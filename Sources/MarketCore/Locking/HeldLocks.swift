import Foundation

/// A lock held right now, as the registry shows it.
public struct HeldLock: Sendable, Equatable, Codable, Identifiable {
    /// The lock key.
    public var id: String { key }
    /// The lock key, e.g. `auction:bid:42`.
    public var key: String
    /// The holder's host.
    public var host: String
    /// The holder's process id.
    public var pid: Int32
    /// The operation the holder named.
    public var operation: String
    /// The fencing token the holder got with the lock.
    public var fence: Int64
    /// Wall-clock milliseconds since the epoch, by the holder's clock.
    public var acquiredAtMilliseconds: Int64
    /// The lease length the holder asked for.
    public var leaseMilliseconds: Int64
    /// Milliseconds before the key expires unless extended.
    public var ttlLeftMilliseconds: Int64
    /// Waiters from every process whose wait has not ended.
    public var waiters: Int

    /// A held lock as the console shows it.
    public init(key: String, host: String, pid: Int32, operation: String, fence: Int64, acquiredAtMilliseconds: Int64,
                leaseMilliseconds: Int64, ttlLeftMilliseconds: Int64, waiters: Int) {
        self.key = key
        self.host = host
        self.pid = pid
        self.operation = operation
        self.fence = fence
        self.acquiredAtMilliseconds = acquiredAtMilliseconds
        self.leaseMilliseconds = leaseMilliseconds
        self.ttlLeftMilliseconds = ttlLeftMilliseconds
        self.waiters = waiters
    }
}

extension LockService {
    /// Every lock held now, oldest first: one HGETALL of the registry and one pipelined
    /// PTTL/ZCOUNT per entry — no KEYS or SCAN. Entries whose key expired (a holder that died) are
    /// dropped from the registry on the way. For a screenful of a large registry use
    /// ``heldLocks(_:)``, which reads only the page.
    public func heldLocks() async throws -> [HeldLock] {
        guard let redis else { return [] }
        let items = try await redis.send("HGETALL", RedisArgument(keys.registry)).array
        var lockKeys: [String] = []
        var values: [String?] = []
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let key = items[index].string, let value = items[index + 1].string {
                lockKeys.append(key)
                values.append(value)
            }
        }
        return try await resolve(lockKeys, values: values, on: redis).compactMap { $0 }
            .sorted { $0.acquiredAtMilliseconds < $1.acquiredAtMilliseconds }
    }

    /// One page of the locks held now, sorted by `acquired_at` (the default; ties by key) or `key`,
    /// the filter matching key, operation or host.
    ///
    /// Reads only the page: `ZRANGEBYLEX … LIMIT` on the registry's by-age or by-key order, then one
    /// pipeline of HMGET and PTTL/ZCOUNT per row. Entries whose key expired are dropped on the way
    /// and the page is topped up from further on. With a filter the order is read in chunks of 256
    /// until the page is full, each chunk's entries matched before the matches' TTLs are read.
    public func heldLocks(_ request: PageRequest) async throws -> Page<HeldLock> {
        let (sort, descending, after) = try request.resolved("held locks", sorts: ["acquired_at", "key"], default: "acquired_at")
        guard let redis else { return Page(rows: [], next: nil) }
        if let after, after.count != 1 {
            throw MarketError(.invalidArgument, "this page position does not fit held locks sorted by \(sort)")
        }
        let byKey = sort == "key"
        let limit = request.clampedLimit
        let needle = request.filter.lowercased()
        let chunk = needle.isEmpty ? limit + 1 : max(limit + 1, 256)
        var position = after?.first
        var found: [(member: String, lock: HeldLock)] = []
        while found.count <= limit {
            let from = position.map { "(" + $0 } ?? (descending ? "+" : "-")
            let members = try await redis.send(
                descending ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", RedisArgument(byKey ? keys.registryByKey : keys.registryByAge),
                RedisArgument(from), descending ? "-" : "+", "LIMIT", "0", RedisArgument(chunk)
            ).array.compactMap(\.string)
            guard let last = members.last else { break }
            var candidates = members
            var lockKeys = byKey ? members : members.map(LockKeys.key(ofAgeMember:))
            var values: [String?]?
            if !needle.isEmpty {
                let entries = try await redis.send(["HMGET", RedisArgument(keys.registry)] + lockKeys.map { RedisArgument($0) })
                    .array.map(\.string)
                let matching = lockKeys.indices.filter { index in
                    entries[index].map { Self.entry($0, of: lockKeys[index], matches: needle) } ?? false
                }
                candidates = matching.map { members[$0] }
                lockKeys = matching.map { lockKeys[$0] }
                values = matching.map { entries[$0] }
            }
            let locks = try await resolve(lockKeys, values: values, on: redis)
            for (member, lock) in zip(candidates, locks) {
                guard let lock else { continue }
                found.append((member, lock))
                if found.count > limit { break }
            }
            if members.count < chunk { break }
            position = last
        }
        let next = found.count > limit ? PageCursor(sort: sort, descending: descending, values: [found[limit - 1].member]) : nil
        return Page(rows: found.prefix(limit).map(\.lock), next: next)
    }

    /// Whether the key, host or operation of a registry entry contains `needle` (lowercased).
    private static func entry(_ value: String, of key: String, matches needle: String) -> Bool {
        let fields = value.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false)  // host|pid|operation|…
        let host = fields.first ?? ""
        let operation = fields.count > 2 ? fields[2] : ""
        return [Substring(key), host, operation].contains { $0.lowercased().contains(needle) }
    }

    /// How many locks the registry holds now (HLEN: entries of holders that died count until a
    /// read drops them).
    public func heldLockCount() async throws -> Int {
        guard let redis else { return 0 }
        return Int(try await redis.send("HLEN", RedisArgument(keys.registry)).integer ?? 0)
    }

    /// The held lock of each key, nil where the registry has no entry or the key expired (such
    /// entries are dropped from the registry and its orders). One pipeline: the entries (HMGET,
    /// unless `known` already has them), then PTTL and ZCOUNT per key.
    private func resolve(_ lockKeys: [String], values known: [String?]? = nil,
                         on redis: RedisConnection) async throws -> [HeldLock?] {
        guard !lockKeys.isEmpty else { return [] }
        let nowMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        var commands: [[RedisArgument]] = []
        if known == nil { commands.append(["HMGET", RedisArgument(keys.registry)] + lockKeys.map { RedisArgument($0) }) }
        for key in lockKeys {
            commands.append(["PTTL", RedisArgument(keys.lock(key))])
            commands.append(["ZCOUNT", RedisArgument(keys.waiters(key)), RedisArgument(nowMilliseconds), "+inf"])
        }
        let replies = try await redis.pipeline(commands)
        let values = known ?? replies[0].array.map(\.string)
        let first = known == nil ? 1 : 0
        var held: [HeldLock?] = []
        for (index, key) in lockKeys.enumerated() {
            guard let value = values[index] else {
                held.append(nil)
                continue
            }
            let ttlLeft = replies[first + index * 2].integer ?? -2
            let fields = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard ttlLeft >= 0, fields.count >= 7 else {
                _ = try? await LockScripts.dropStaleEntry.run(on: redis, keys: keys.registryKeys,
                                                              arguments: [RedisArgument(key), RedisArgument(value)])
                held.append(nil)
                continue
            }
            held.append(HeldLock(key: key, host: fields[0], pid: Int32(fields[1]) ?? 0, operation: fields[2],
                                 fence: Int64(fields[3]) ?? 0, acquiredAtMilliseconds: Int64(fields[4]) ?? 0,
                                 leaseMilliseconds: Int64(fields[5]) ?? 0, ttlLeftMilliseconds: ttlLeft,
                                 waiters: Int(replies[first + index * 2 + 1].integer ?? 0)))
        }
        return held
    }
}
