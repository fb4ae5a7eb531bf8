/// Unit of Work outcomes of one operation over a window, summed across every reporting process.
public struct UnitOfWorkStats: Sendable, Equatable {
    public var operation: String
    public var commits: Int64 = 0
    public var rollbacks: [RollbackReason: Int64] = [:]
    public var duration = LatencyHistogram()
    /// Commits per second, oldest first, one entry per second of the window.
    public var commitSeries: [Int64] = []
    /// Rollbacks per second, oldest first.
    public var rollbackSeries: [Int64] = []

    public var totalRollbacks: Int64 { rollbacks.values.reduce(0, +) }

    /// Every operation's outcomes summed into one row named "all operations".
    public static func total(of operations: [UnitOfWorkStats]) -> UnitOfWorkStats {
        var total = UnitOfWorkStats(operation: "all operations")
        let length = operations.map(\.commitSeries.count).max() ?? 0
        total.commitSeries = Array(repeating: 0, count: length)
        total.rollbackSeries = Array(repeating: 0, count: length)
        for stats in operations {
            total.commits += stats.commits
            for (reason, count) in stats.rollbacks { total.rollbacks[reason, default: 0] += count }
            total.duration.merge(stats.duration)
            // Series of one window have one length; align them at the newest second regardless.
            for (offset, value) in stats.commitSeries.reversed().enumerated() { total.commitSeries[length - 1 - offset] += value }
            for (offset, value) in stats.rollbackSeries.reversed().enumerated() { total.rollbackSeries[length - 1 - offset] += value }
        }
        return total
    }
}

/// Lock contention for one key prefix over a window, summed across every reporting process.
public struct LockPrefixStats: Sendable, Equatable {
    public var prefix: String
    public var acquired: Int64 = 0
    public var waited: Int64 = 0
    public var timedOut: Int64 = 0
    public var renewalFailures: Int64 = 0
    public var lost: Int64 = 0
    /// Commits refused at the fence check (`MC409`): a holder whose fence another had overtaken.
    public var fenceRefused: Int64 = 0
    public var wait = LatencyHistogram()
    public var hold = LatencyHistogram()
}

/// Reads the per-second statistics hashes that every process' ``StatsRecorder`` writes.
///
/// Each second's hash is summed on its own, then the seconds of the window are merged. The
/// dashboard's reader (``DashboardQueries``) also keeps the sums of seconds that are over (every
/// process has flushed them) and fetches only the newest seconds from Redis: a console refreshed
/// every second reads a handful of hashes per refresh instead of its whole window.
public struct StatsReader: Sendable {
    private let redis: RedisConnection
    private let keys: StatsKeys
    private let cache: StatsSecondsCache?

    public init(redis: RedisConnection, namespace: String) {
        self.init(redis: redis, namespace: namespace, cache: nil)
    }

    init(redis: RedisConnection, namespace: String, cache: StatsSecondsCache?) {
        self.redis = redis
        self.keys = StatsKeys(namespace: namespace)
        self.cache = cache
    }

    /// Outcomes per operation for the `seconds` seconds up to and including `endSecond`.
    public func unitOfWork(seconds: Int, endingAt endSecond: Int64 = StatsRecorder.currentSecond()) async throws -> [UnitOfWorkStats] {
        let perSecond = try await sums(seconds: seconds, endingAt: endSecond, key: keys.unitOfWork(second:),
                                       cached: cache?.unitOfWork, sum: Self.unitOfWorkSums)
        var byOperation: [String: UnitOfWorkStats] = [:]
        for (offset, second) in perSecond.enumerated() {
            for (name, sums) in second {
                if byOperation.index(forKey: name) == nil {
                    byOperation[name] = UnitOfWorkStats(operation: name, commitSeries: Array(repeating: 0, count: seconds),
                                                        rollbackSeries: Array(repeating: 0, count: seconds))
                }
                byOperation[name]!.absorb(sums, at: offset)
            }
        }
        return byOperation.values.sorted { $0.operation < $1.operation }
    }

    /// Contention per key prefix for the `seconds` seconds up to and including `endSecond`.
    public func locks(seconds: Int, endingAt endSecond: Int64 = StatsRecorder.currentSecond()) async throws -> [LockPrefixStats] {
        let perSecond = try await sums(seconds: seconds, endingAt: endSecond, key: keys.locks(second:),
                                       cached: cache?.locks, sum: Self.lockSums)
        var byPrefix: [String: LockPrefixStats] = [:]
        for second in perSecond {
            for (name, sums) in second {
                if byPrefix.index(forKey: name) == nil { byPrefix[name] = LockPrefixStats(prefix: name) }
                byPrefix[name]!.absorb(sums)
            }
        }
        return byPrefix.values.sorted { $0.prefix < $1.prefix }
    }

    /// Processes that flushed statistics within the last `seconds` seconds, as `host:pid`.
    public func reportingProcesses(within seconds: Int64 = 10) async throws -> [String] {
        let reply = try await redis.send("HGETALL", RedisArgument(keys.processes))
        let now = StatsRecorder.currentSecond()
        var names: [String] = []
        let items = reply.array
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            if let name = items[index].string, let last = items[index + 1].integer, now - last <= seconds {
                names.append(name)
            }
        }
        return names.sorted()
    }

    /// The sums of each second of the window, oldest first: cached ones from `cached`, the rest
    /// from one pipelined HGETALL per second (kept in `cached` once they are settled).
    private func sums<Sum: Sendable>(seconds: Int, endingAt endSecond: Int64, key: (Int64) -> String,
                                     cached: SettledSeconds<Sum>?,
                                     sum: ([(String, Substring, Int64)]) -> Sum) async throws -> [Sum] {
        let window = (endSecond - Int64(seconds) + 1)...endSecond
        var known = cached?.sums(in: window) ?? [:]
        let missing = window.filter { known[$0] == nil }
        let replies = try await redis.pipeline(missing.map { ["HGETALL", RedisArgument(key($0))] })
        var fetched: [Int64: Sum] = [:]
        for (second, reply) in zip(missing, replies) { fetched[second] = sum(Self.fields(of: reply)) }
        cached?.keep(fetched, settledThrough: StatsRecorder.currentSecond() - StatsSecondsCache.settledAfter,
                     oldestWanted: window.lowerBound)
        known.merge(fetched) { _, new in new }
        return window.map { known[$0]! }
    }

    /// A hash's fields split into (name, counter, value) at the last `|` of the field.
    private static func fields(of reply: RedisValue) -> [(String, Substring, Int64)] {
        let items = reply.array
        var fields: [(String, Substring, Int64)] = []
        fields.reserveCapacity(items.count / 2)
        for index in stride(from: 0, to: items.count - 1, by: 2) {
            guard let field = items[index].string, let value = items[index + 1].integer,
                  let bar = field.lastIndex(of: "|") else { continue }
            fields.append((String(field[..<bar]), field[field.index(after: bar)...], value))
        }
        return fields
    }

    /// One second's outcomes per operation (series left empty: they are laid out by the window).
    private static func unitOfWorkSums(_ fields: [(String, Substring, Int64)]) -> [String: UnitOfWorkStats] {
        var byOperation: [String: UnitOfWorkStats] = [:]
        for (name, counter, value) in fields {
            if byOperation.index(forKey: name) == nil { byOperation[name] = UnitOfWorkStats(operation: name) }
            if counter == StatsField.commit {
                byOperation[name]!.commits += value
            } else if counter.hasPrefix("rb:"), let reason = RollbackReason(rawValue: String(counter.dropFirst(3))) {
                byOperation[name]!.rollbacks[reason, default: 0] += value
            } else if counter == StatsField.durationSum {
                byOperation[name]!.duration.addSum(micros: value)
            } else if counter.hasPrefix("h:"), let index = Int(counter.dropFirst(2)) {
                byOperation[name]!.duration.add(bucket: index, count: value)
            }
        }
        return byOperation
    }

    /// One second's contention per key prefix.
    private static func lockSums(_ fields: [(String, Substring, Int64)]) -> [String: LockPrefixStats] {
        var byPrefix: [String: LockPrefixStats] = [:]
        for (name, counter, value) in fields {
            if byPrefix.index(forKey: name) == nil { byPrefix[name] = LockPrefixStats(prefix: name) }
            switch counter {
            case StatsField.acquired: byPrefix[name]!.acquired += value
            case StatsField.waited: byPrefix[name]!.waited += value
            case StatsField.timedOut: byPrefix[name]!.timedOut += value
            case StatsField.renewalFailed: byPrefix[name]!.renewalFailures += value
            case StatsField.lost: byPrefix[name]!.lost += value
            case StatsField.fenceRefused: byPrefix[name]!.fenceRefused += value
            case StatsField.waitSum: byPrefix[name]!.wait.addSum(micros: value)
            case StatsField.holdSum: byPrefix[name]!.hold.addSum(micros: value)
            default:
                if counter.hasPrefix("wh:"), let index = Int(counter.dropFirst(3)) {
                    byPrefix[name]!.wait.add(bucket: index, count: value)
                } else if counter.hasPrefix("hh:"), let index = Int(counter.dropFirst(3)) {
                    byPrefix[name]!.hold.add(bucket: index, count: value)
                }
            }
        }
        return byPrefix
    }
}

extension UnitOfWorkStats {
    /// Adds one second's sums, `offset` seconds into the window's series.
    mutating func absorb(_ second: UnitOfWorkStats, at offset: Int) {
        commits += second.commits
        commitSeries[offset] += second.commits
        for (reason, count) in second.rollbacks { rollbacks[reason, default: 0] += count }
        rollbackSeries[offset] += second.totalRollbacks
        duration.merge(second.duration)
    }
}

extension LockPrefixStats {
    /// Adds one second's sums.
    mutating func absorb(_ second: LockPrefixStats) {
        acquired += second.acquired
        waited += second.waited
        timedOut += second.timedOut
        renewalFailures += second.renewalFailures
        lost += second.lost
        fenceRefused += second.fenceRefused
        wait.merge(second.wait)
        hold.merge(second.hold)
    }
}
