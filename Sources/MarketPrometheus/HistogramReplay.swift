import MarketCore
import Prometheus

/// Adds durations that reach the exporter as bucket counts (a ``LatencyHistogram`` summed from the
/// shared statistics) to a swift-prometheus histogram, which only takes one value at a time.
///
/// The Prometheus buckets are every fourth bound of ``LatencyHistogram`` (10 µs × 1.25⁴ⁿ: 10 µs,
/// 24 µs, 60 µs … 39 s), so every duration of one source bucket falls in the same Prometheus
/// bucket whichever value inside its source bucket stands for it: the bucket counts come out
/// exact. Each source bucket `(lower, upper]` is replayed as its count of values
/// `lower + t × (upper − lower)`, with one `t` in (0, 1] chosen for the whole batch so that the
/// replayed values add up to the recorded sum: `_sum` is exact too, unless the recorded sum lies
/// outside what the buckets allow (durations beyond the last bound), where it is clamped.
/// The cost is one `record` per duration counted, a few tens of nanoseconds each.
enum HistogramReplay {
    /// Source buckets per Prometheus bucket.
    static let stride = 4

    /// The Prometheus bucket bounds.
    static let buckets: [Duration] = Swift.stride(from: 0, to: LatencyHistogram.bucketCount - 1, by: stride).map {
        Duration.microseconds(LatencyHistogram.upperBoundMicros(ofBucket: $0))
    }

    /// Records `delta`'s durations into `histogram`.
    static func record(_ delta: LatencyHistogram, into histogram: DurationHistogram) {
        guard delta.count > 0 else { return }
        var lowSum = 0.0
        var highSum = 0.0
        for (index, count) in delta.buckets {
            let (lower, upper) = bounds(of: index)
            lowSum += Double(count) * lower
            highSum += Double(count) * upper
        }
        let spread = highSum - lowSum
        let share = spread > 0 ? (Double(delta.sumMicros) - lowSum) / spread : 1
        let t = min(max(share, 0.001), 1)
        for (index, count) in delta.buckets {
            let (lower, upper) = bounds(of: index)
            // Never past `upper` through rounding: the bound itself is a Prometheus bucket's edge.
            let value = min(Duration.microseconds(lower + t * (upper - lower)), Duration.microseconds(upper))
            for _ in 0..<count { histogram.record(value) }
        }
    }

    /// The durations, in microseconds, source bucket `index` holds: above `lower`, up to `upper`.
    static func bounds(of index: Int) -> (lower: Double, upper: Double) {
        let upper = LatencyHistogram.upperBoundMicros(ofBucket: index)
        return (index == 0 ? 0 : LatencyHistogram.upperBoundMicros(ofBucket: index - 1), upper)
    }
}
