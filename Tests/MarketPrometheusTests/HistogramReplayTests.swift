import Foundation
import MarketCore
import Prometheus
import Testing
@testable import MarketPrometheus

@Suite("Histogram replay")
struct HistogramReplayTests {
    /// Random durations (log-uniform, 1 µs … 60 s) recorded as the statistics record them, replayed
    /// into a Prometheus histogram: every bucket count and the sum come out as recorded.
    @Test(arguments: [UInt64(20261204), 7, 424242])
    func replayedBucketsAndSumMatchTheRecordedDurations(seed: UInt64) throws {
        print("HistogramReplayTests seed \(seed)")
        var random = SeededRandom(seed: seed)
        var recorded = LatencyHistogram()
        var micros: [Int64] = []
        for _ in 0..<(500 + Int(random.next() % 2000)) {
            let exponent = Double(random.next() % 1_000_000) / 1_000_000 * log(60_000_000.0)
            let value = max(1, Int64(exp(exponent)))
            micros.append(value)
            recorded.record(micros: value)
        }
        let registry = PrometheusCollectorRegistry()
        let histogram = registry.makeDurationHistogram(descriptor: .market("replayed_seconds", help: "Replayed."), labels: [], buckets: HistogramReplay.buckets)
        HistogramReplay.record(recorded, into: histogram)

        let emitted = Self.parse(String(decoding: registry.emitToBuffer(), as: UTF8.self))
        for (bound, count) in emitted.buckets {
            // Whole source buckets fall under each bound: count the durations by their source bucket.
            let expected = micros.filter { Double(LatencyHistogram.upperBoundMicros(ofBucket: LatencyHistogram.bucket(forMicros: $0))) <= bound * 1_000_000 * (1 + 1e-9) }.count
            #expect(count == expected, "bucket le=\(bound)")
        }
        #expect(emitted.count == micros.count)
        let recordedSeconds = Double(micros.reduce(0, +)) / 1_000_000
        #expect(abs(emitted.sum - recordedSeconds) <= recordedSeconds * 1e-6, "sum \(emitted.sum) vs \(recordedSeconds)")
    }

    @Test func bucketsAreEveryFourthBoundOfTheStatistics() {
        #expect(HistogramReplay.buckets.count == 18)
        #expect(HistogramReplay.buckets.first == .microseconds(10))
        #expect(HistogramReplay.buckets[1] == .microseconds(LatencyHistogram.upperBoundMicros(ofBucket: 4)))
    }

    private static func parse(_ text: String) -> (buckets: [(Double, Int)], count: Int, sum: Double) {
        var buckets: [(Double, Int)] = []
        var count = 0
        var sum = 0.0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if line.hasPrefix("replayed_seconds_bucket{le=\""), !line.contains("+Inf") {
                let bound = line.dropFirst("replayed_seconds_bucket{le=\"".count).prefix { $0 != "\"" }
                buckets.append((Double(bound)!, Int(parts[1])!))
            } else if line.hasPrefix("replayed_seconds_count") {
                count = Int(parts[1])!
            } else if line.hasPrefix("replayed_seconds_sum") {
                sum = Double(parts[1])!
            }
        }
        return (buckets, count, sum)
    }
}
