import Foundation
import Logging
import Metrics
import Synchronization

/// Counts Unit of Work outcomes and lock contention cheaply, and ships them off the hot path.
///
/// `record…` only updates in-memory counters under a mutex. A background task flushes them every
/// `flushInterval` into per-second Redis hashes (see ``StatsKeys``) with one pipelined round trip,
/// so every other process, the console included, can read this process' rates. The same events go
/// to swift-metrics (`market_uow_total`, `market_uow_duration`, `market_lock_*`) for whatever
/// metrics backend the process bootstraps.
public final class StatsRecorder: Sendable {
    /// A lock event worth counting, per key prefix (`auction:bid` for `auction:bid:42`).
    public enum LockEvent: Sendable {
        case acquired(wait: Duration, contended: Bool)
        case timedOut(wait: Duration)
        case released(hold: Duration)
        case renewalFailed
        case lost
        /// A commit was refused because the lease's fence was older than one already committed.
        case fenceRefused
    }

    private let redis: RedisConnection?
    private let keys: StatsKeys
    private let processName: String
    private let pending = Mutex(PendingStats())
    private let metrics = Mutex<[String: MetricHandles]>([:])
    private let flusher = Mutex<Task<Void, Never>?>(nil)
    private let logger = Logger(label: "market.stats")

    public init(redis: RedisConnection?, namespace: String, processName: String = ProcessIdentity.current.name) {
        self.redis = redis
        self.keys = StatsKeys(namespace: namespace)
        self.processName = processName
    }

    /// Starts flushing every `interval` until ``stop()``.
    public func start(flushInterval interval: Duration = .seconds(1)) {
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self?.flush()
            }
        }
        flusher.withLock { $0?.cancel(); $0 = task }
    }

    /// Stops the background flushing and ships what is left.
    public func stop() async {
        flusher.withLock { $0?.cancel(); $0 = nil }
        await flush()
    }

    public func recordUnitOfWork(operation: String, outcome: UnitOfWorkOutcome, duration: Duration) {
        let second = Self.currentSecond()
        pending.withLock { $0.unitOfWork[BucketKey(second: second, name: operation), default: UnitOfWorkStats(operation: operation)]
            .record(outcome, duration: duration) }
        let handles = metricHandles(for: operation)
        switch outcome {
        case .commit: handles.commits.increment()
        case .rollback(let reason): handles.rollback(reason).increment()
        }
        handles.duration.recordNanoseconds(duration.microseconds * 1000)
    }

    public func recordLock(key: String, _ event: LockEvent) {
        let prefix = Self.prefix(of: key)
        let second = Self.currentSecond()
        pending.withLock { $0.locks[BucketKey(second: second, name: prefix), default: LockPrefixStats(prefix: prefix)].record(event) }
        switch event {
        case .timedOut: Counter(label: "market_lock_timeouts_total", dimensions: [("prefix", prefix)]).increment()
        case .lost: Counter(label: "market_lock_lost_total", dimensions: [("prefix", prefix)]).increment()
        case .renewalFailed: Counter(label: "market_lock_renewal_failures_total", dimensions: [("prefix", prefix)]).increment()
        case .fenceRefused: Counter(label: "market_lock_fence_refused_total", dimensions: [("prefix", prefix)]).increment()
        case .acquired, .released: break
        }
    }

    /// The key prefix statistics are grouped by: the key without its last `:`-separated part.
    public static func prefix(of key: String) -> String {
        guard let colon = key.lastIndex(of: ":") else { return key }
        return String(key[..<colon])
    }

    /// Ships everything counted so far in one pipelined round trip; on failure keeps it for next time.
    public func flush() async {
        let snapshot = pending.withLock { state -> PendingStats in
            defer { state = PendingStats() }
            return state
        }
        guard let redis else { return }
        var commands: [[RedisArgument]] = []
        var touched: Set<String> = []
        for (bucket, counters) in snapshot.unitOfWork {
            let key = keys.unitOfWork(second: bucket.second)
            touched.insert(key)
            for (field, value) in counters.hashFields { commands.append(["HINCRBY", RedisArgument(key), RedisArgument("\(bucket.name)|\(field)"), RedisArgument(value)]) }
        }
        for (bucket, counters) in snapshot.locks {
            let key = keys.locks(second: bucket.second)
            touched.insert(key)
            for (field, value) in counters.hashFields { commands.append(["HINCRBY", RedisArgument(key), RedisArgument("\(bucket.name)|\(field)"), RedisArgument(value)]) }
        }
        for key in touched { commands.append(["EXPIRE", RedisArgument(key), RedisArgument(StatsKeys.retentionSeconds)]) }
        commands.append(["HSET", RedisArgument(keys.processes), RedisArgument(processName), RedisArgument(Self.currentSecond())])
        do {
            _ = try await redis.pipeline(commands)
        } catch {
            // Keep the counts for the next flush: Redis may be back by then.
            pending.withLock { $0.merge(snapshot) }
            logger.debug("stats flush deferred: \(error)")
        }
    }

    /// The wall-clock epoch second that names the current statistics bucket.
    public static func currentSecond() -> Int64 { Int64(Date().timeIntervalSince1970) }

    private func metricHandles(for operation: String) -> MetricHandles {
        metrics.withLock { cache in
            if let handles = cache[operation] { return handles }
            let handles = MetricHandles(operation: operation)
            cache[operation] = handles
            return handles
        }
    }
}

/// swift-metrics handles for one operation, created once.
private struct MetricHandles: Sendable {
    let commits: Counter
    let rollbacks: [RollbackReason: Counter]
    let duration: Metrics.Timer

    init(operation: String) {
        commits = Counter(label: "market_uow_total", dimensions: [("operation", operation), ("outcome", "commit")])
        var rollbacks: [RollbackReason: Counter] = [:]
        for reason in RollbackReason.allCases {
            rollbacks[reason] = Counter(label: "market_uow_total",
                                        dimensions: [("operation", operation), ("outcome", "rollback"), ("reason", reason.rawValue)])
        }
        self.rollbacks = rollbacks
        duration = Metrics.Timer(label: "market_uow_duration", dimensions: [("operation", operation)])
    }

    func rollback(_ reason: RollbackReason) -> Counter { rollbacks[reason]! }
}

private struct BucketKey: Hashable {
    let second: Int64
    let name: String
}

private struct PendingStats {
    var unitOfWork: [BucketKey: UnitOfWorkStats] = [:]
    var locks: [BucketKey: LockPrefixStats] = [:]

    var isEmpty: Bool { unitOfWork.isEmpty && locks.isEmpty }

    mutating func merge(_ other: PendingStats) {
        for (key, counters) in other.unitOfWork { unitOfWork[key, default: UnitOfWorkStats(operation: key.name)].add(counters) }
        for (key, counters) in other.locks { locks[key, default: LockPrefixStats(prefix: key.name)].absorb(counters) }
    }
}
