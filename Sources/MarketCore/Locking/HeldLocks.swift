import Foundation

/// A lock held right now, as the registry shows it.
public struct HeldLock: Sendable, Equatable, Identifiable {
    public var id: String { key }
    /// The lock key, e.g. `auction:bid:42`.
    public var key: String
    public var host: String
    public var pid: Int32
    /// The operation the holder named.
    public var operation: String
    public var fence: Int64
    /// Wall-clock milliseconds since the epoch, by the holder's clock.
    public var acquiredAtMilliseconds: Int64
    /// The lease length the holder asked for.
    public var leaseMilliseconds: Int64
    /// Milliseconds before the key expires unless extended.
    public var ttlLeftMilliseconds: Int64
    /// Waiters from every process whose wait has not ended.
    public var waiters: Int
}

extension LockService {
    /// Every lock held now, oldest first: one HGETALL of the registry and one pipelined
    /// PTTL/ZCOUNT per entry — no KEYS or SCAN. Entries whose key expired (a holder that died) are
    /// dropped from the registry on the way.
    public func heldLocks() async throws -> [HeldLock] {
        guard let redis else { return [] }
        let items = try await redis.send("HGETALL", RedisArgument(keys.registry)).array
        var entries: [(key: String, value: String)] = []
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let key = items[index].string, let value = items[index + 1].string { entries.append((key, value)) }
        }
        guard !entries.isEmpty else { return [] }
        let nowMilliseconds = Int64(Date().timeIntervalSince1970 * 1000)
        var commands: [[RedisArgument]] = []
        for entry in entries {
            commands.append(["PTTL", RedisArgument(keys.lock(entry.key))])
            commands.append(["ZCOUNT", RedisArgument(keys.waiters(entry.key)), RedisArgument(nowMilliseconds), "+inf"])
        }
        let replies = try await redis.pipeline(commands)
        var held: [HeldLock] = []
        for (index, entry) in entries.enumerated() {
            let ttlLeft = replies[index * 2].integer ?? -2
            let fields = entry.value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard ttlLeft >= 0, fields.count >= 7 else {
                _ = try? await LockScripts.dropStaleEntry.run(on: redis, keys: [RedisArgument(keys.registry)],
                                                              arguments: [RedisArgument(entry.key), RedisArgument(entry.value)])
                continue
            }
            held.append(HeldLock(key: entry.key, host: fields[0], pid: Int32(fields[1]) ?? 0, operation: fields[2],
                                 fence: Int64(fields[3]) ?? 0, acquiredAtMilliseconds: Int64(fields[4]) ?? 0,
                                 leaseMilliseconds: Int64(fields[5]) ?? 0, ttlLeftMilliseconds: ttlLeft,
                                 waiters: Int(replies[index * 2 + 1].integer ?? 0)))
        }
        return held.sorted { $0.acquiredAtMilliseconds < $1.acquiredAtMilliseconds }
    }
}
