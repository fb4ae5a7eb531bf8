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
    public var wait = LatencyHistogram()
    public var hold = LatencyHistogram()
}

/// Reads the per-second statistics hashes that every process' ``StatsRecorder`` writes.
public struct StatsReader: Sendable {
    private let redis: RedisConnection
    private let keys: StatsKeys

    public init(redis: RedisConnection, namespace: String) {
        self.redis = redis
        self.keys = StatsKeys(namespace: namespace)
    }

    /// Outcomes per operation for the `seconds` seconds up to and including `endSecond`.
    public func unitOfWork(seconds: Int, endingAt endSecond: Int64 = StatsRecorder.currentSecond()) async throws -> [UnitOfWorkStats] {
        let hashes = try await read(seconds: seconds, endingAt: endSecond, key: keys.unitOfWork(second:))
        var byOperation: [String: UnitOfWorkStats] = [:]
        for (offset, fields) in hashes.enumerated() {
            for (name, counter, value) in fields {
                var stats = byOperation[name] ?? UnitOfWorkStats(operation: name,
                                                                  commitSeries: Array(repeating: 0, count: seconds),
                                                                  rollbackSeries: Array(repeating: 0, count: seconds))
                if counter == StatsField.commit {
                    stats.commits += value
                    stats.commitSeries[offset] += value
                } else if counter.hasPrefix("rb:"), let reason = RollbackReason(rawValue: String(counter.dropFirst(3))) {
                    stats.rollbacks[reason, default: 0] += value
                    stats.rollbackSeries[offset] += value
                } else if counter == StatsField.durationSum {
                    stats.duration.addSum(micros: value)
                } else if counter.hasPrefix("h:"), let index = Int(counter.dropFirst(2)) {
                    stats.duration.add(bucket: index, count: value)
                }
                byOperation[name] = stats
            }
        }
        return byOperation.values.sorted { $0.operation < $1.operation }
    }

    /// Contention per key prefix for the `seconds` seconds up to and including `endSecond`.
    public func locks(seconds: Int, endingAt endSecond: Int64 = StatsRecorder.currentSecond()) async throws -> [LockPrefixStats] {
        let hashes = try await read(seconds: seconds, endingAt: endSecond, key: keys.locks(second:))
        var byPrefix: [String: LockPrefixStats] = [:]
        for fields in hashes {
            for (name, counter, value) in fields {
                var stats = byPrefix[name] ?? LockPrefixStats(prefix: name)
                switch counter {
                case StatsField.acquired: stats.acquired += value
                case StatsField.waited: stats.waited += value
                case StatsField.timedOut: stats.timedOut += value
                case StatsField.renewalFailed: stats.renewalFailures += value
                case StatsField.lost: stats.lost += value
                case StatsField.waitSum: stats.wait.addSum(micros: value)
                case StatsField.holdSum: stats.hold.addSum(micros: value)
                default:
                    if counter.hasPrefix("wh:"), let index = Int(counter.dropFirst(3)) {
                        stats.wait.add(bucket: index, count: value)
                    } else if counter.hasPrefix("hh:"), let index = Int(counter.dropFirst(3)) {
                        stats.hold.add(bucket: index, count: value)
                    }
                }
                byPrefix[name] = stats
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

    /// One pipelined HGETALL per second; each hash split into (name, counter, value).
    private func read(seconds: Int, endingAt endSecond: Int64,
                      key: (Int64) -> String) async throws -> [[(String, String, Int64)]] {
        let first = endSecond - Int64(seconds) + 1
        let commands: [[RedisArgument]] = (first...endSecond).map { ["HGETALL", RedisArgument(key($0))] }
        let replies = try await redis.pipeline(commands)
        return replies.map { reply in
            let items = reply.array
            var fields: [(String, String, Int64)] = []
            for index in stride(from: 0, to: items.count - 1, by: 2) {
                guard let field = items[index].string, let value = items[index + 1].integer,
                      let bar = field.lastIndex(of: "|") else { continue }
                fields.append((String(field[..<bar]), String(field[field.index(after: bar)...]), value))
            }
            return fields
        }
    }
}
