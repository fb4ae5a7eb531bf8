import Testing
@testable import Console

@Suite("Benchmark latency percentiles")
struct LatencySamplesTests {
    /// 1 ms … 100 ms, recorded out of order.
    static func oneToHundred() -> LatencySamples {
        var samples = LatencySamples()
        for value in (1...100).reversed() { samples.record(.milliseconds(value)) }
        return samples
    }

    @Test func percentilesAreTheNearestRankSampleNotABucketBound() {
        let samples = Self.oneToHundred()
        #expect(samples.milliseconds(atPercentile: 0.5) == 50)
        #expect(samples.milliseconds(atPercentile: 0.99) == 99)
        #expect(samples.milliseconds(atPercentile: 1) == 100)
        #expect(samples.milliseconds(atPercentile: 0) == 1)
    }

    @Test func keepsMicrosecondsExactly() {
        var samples = LatencySamples()
        samples.record(.microseconds(3_314))
        #expect(samples.milliseconds(atPercentile: 0.5) == 3.314)
    }

    @Test func nothingRecordedReadsZero() {
        #expect(LatencySamples().milliseconds(atPercentile: 0.99) == 0)
    }
}
