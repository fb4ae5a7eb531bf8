import Foundation

/// A log-scale latency histogram that merges across processes by adding bucket counts.
///
/// Bucket `i` holds durations up to `10 µs × 1.25^i`; the last bucket takes everything longer.
/// Percentiles are read at a bucket's upper bound, so they overstate by at most 25 %.
public struct LatencyHistogram: Sendable, Equatable {
    public static let bucketCount = 72
    private static let firstBoundMicros = 10.0
    private static let growth = 1.25
    private static let logGrowth = 0.22314355131420976  // log(1.25)

    /// Non-zero bucket counts by bucket index.
    public private(set) var buckets: [Int: Int64] = [:]
    /// How many durations were recorded.
    public private(set) var count: Int64 = 0
    /// Their sum in microseconds.
    public private(set) var sumMicros: Int64 = 0

    public init() {}

    /// The bucket a duration of `micros` microseconds falls in.
    public static func bucket(forMicros micros: Int64) -> Int {
        guard Double(micros) > firstBoundMicros else { return 0 }
        let index = Int((log(Double(micros) / firstBoundMicros) / logGrowth).rounded(.up))
        return min(index, bucketCount - 1)
    }

    /// The largest duration, in microseconds, that bucket `index` holds.
    public static func upperBoundMicros(ofBucket index: Int) -> Double {
        firstBoundMicros * pow(growth, Double(index))
    }

    public mutating func record(micros: Int64) {
        add(bucket: Self.bucket(forMicros: micros), count: 1)
        sumMicros += micros
    }

    public mutating func record(_ duration: Duration) {
        record(micros: duration.microseconds)
    }

    /// Adds `count` durations to bucket `index` (used when reading counts back from Redis).
    public mutating func add(bucket index: Int, count: Int64) {
        buckets[min(max(index, 0), Self.bucketCount - 1), default: 0] += count
        self.count += count
    }

    /// Adds a duration sum read back from storage.
    public mutating func addSum(micros: Int64) {
        sumMicros += micros
    }

    public mutating func merge(_ other: LatencyHistogram) {
        for (index, value) in other.buckets { buckets[index, default: 0] += value }
        count += other.count
        sumMicros += other.sumMicros
    }

    /// The duration below which `fraction` (0…1) of the recorded durations fall, in microseconds;
    /// nil when empty.
    public func percentileMicros(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let target = Int64((Double(count) * fraction).rounded(.up))
        var seen: Int64 = 0
        for index in buckets.keys.sorted() {
            seen += buckets[index]!
            if seen >= max(target, 1) { return Self.upperBoundMicros(ofBucket: index) }
        }
        return Self.upperBoundMicros(ofBucket: Self.bucketCount - 1)
    }

}

extension Duration {
    /// Whole microseconds, rounded down.
    public var microseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }

    /// Seconds as a Double (for `make_interval(secs => …)`).
    public var seconds: Double { milliseconds / 1000 }

    /// Milliseconds as a Double.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
