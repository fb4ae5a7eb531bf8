import MarketCore

/// Every latency a benchmark measured, kept whole so its percentiles are exact.
///
/// The market's ``MarketCore/LatencyHistogram`` buckets durations 25 % apart, which suits live
/// rates but would round a benchmark's p50 and p99 up to a bucket's bound. A benchmark keeps a few
/// hundred thousand samples at most (8 bytes each), so it sorts them instead.
struct LatencySamples {
    private var micros: [Int64] = []

    mutating func record(_ duration: Duration) {
        micros.append(duration.microseconds)
    }

    /// The nearest-rank percentile (`fraction` 0…1) in milliseconds: the smallest sample that
    /// `fraction` of all samples do not exceed; 0 when nothing was recorded.
    func milliseconds(atPercentile fraction: Double) -> Double {
        guard !micros.isEmpty else { return 0 }
        let sorted = micros.sorted()
        let rank = min(max(Int((Double(sorted.count) * fraction).rounded(.up)), 1), sorted.count)
        return Double(sorted[rank - 1]) / 1000
    }
}
