import Synchronization

/// Hands out every settled second of the shared statistics exactly once, for monotonic counters.
///
/// The statistics are per-second Redis hashes (``StatsKeys``) that expire after an hour, so no hash
/// holds a running total. A Prometheus exporter keeps the totals itself: each ``next(now:)`` reads
/// the seconds that settled since the previous call (every process has flushed them, see
/// ``StatsSecondsCache``) and returns their sums, which the caller adds to its counters. The totals
/// therefore start at zero when the exporter starts (Prometheus' `rate` and `increase` treat that as
/// a counter reset), trail the present by the settling delay, and are the same for any number of
/// exporters over the same seconds. Counts a process ships more than the settling delay late, and
/// seconds that expired before any call read them, are not in the totals.
///
/// Calls must not overlap (an exporter answers one scrape at a time).
public final class SettledStatsFeed: Sendable {
    /// The sums of the seconds read by one call.
    public struct Batch: Sendable {
        /// The seconds read; nil when none had settled since the last call.
        public var seconds: ClosedRange<Int64>?
        public var unitOfWork: [UnitOfWorkStats]
        public var locks: [LockPrefixStats]
    }

    private let reader: StatsReader
    /// The newest second already handed out.
    private let handedOut: Mutex<Int64>

    /// A feed that starts with the seconds settling after `now`: nothing older is handed out.
    public init(redis: RedisConnection, namespace: String, now: Int64 = StatsRecorder.currentSecond()) {
        reader = StatsReader(redis: redis, namespace: namespace)
        handedOut = Mutex(now - StatsSecondsCache.settledAfter)
    }

    /// The sums of the seconds that settled since the last call. On error nothing is consumed: the
    /// next call reads the same seconds again.
    public func next(now: Int64 = StatsRecorder.currentSecond()) async throws -> Batch {
        let settled = now - StatsSecondsCache.settledAfter
        // Hashes older than the retention are gone: start at the oldest that can still be read.
        let first = max(handedOut.withLock { $0 } + 1, settled - Int64(StatsKeys.retentionSeconds) + 1)
        guard first <= settled else { return Batch(seconds: nil, unitOfWork: [], locks: []) }
        let count = Int(settled - first + 1)
        async let unitOfWork = reader.unitOfWork(seconds: count, endingAt: settled)
        async let locks = reader.locks(seconds: count, endingAt: settled)
        let batch = Batch(seconds: first...settled, unitOfWork: try await unitOfWork, locks: try await locks)
        handedOut.withLock { $0 = settled }
        return batch
    }
}
