import Foundation
import Testing
@testable import MarketCore

@Suite("Outcome statistics")
struct StatsTests {
    /// Two recorders with their own Redis connections stand in for two processes; a third reader
    /// sees the sum of both, per operation and per reason.
    @Test func statsOfOneProcessAreVisibleToAnother() async throws {
        let configuration = try TestServers.configuration()
        let redisConfiguration = try #require(configuration.redis)
        let namespace = redisConfiguration.namespace
        let first = StatsRecorder(redis: RedisConnection(configuration: redisConfiguration), namespace: namespace, processName: "host-a:1")
        let second = StatsRecorder(redis: RedisConnection(configuration: redisConfiguration), namespace: namespace, processName: "host-b:2")
        for _ in 0..<5 { first.recordUnitOfWork(operation: "auction.bid", outcome: .commit, duration: .milliseconds(2)) }
        first.recordUnitOfWork(operation: "auction.bid", outcome: .rollback(.ruleRejected), duration: .milliseconds(1))
        for _ in 0..<3 { second.recordUnitOfWork(operation: "auction.bid", outcome: .commit, duration: .milliseconds(40)) }
        second.recordUnitOfWork(operation: "nft.buy", outcome: .rollback(.conflict), duration: .milliseconds(9))
        second.recordLock(key: "auction:bid:1", .acquired(wait: .milliseconds(3), contended: true))
        second.recordLock(key: "auction:bid:2", .timedOut(wait: .seconds(5)))
        await first.flush()
        await second.flush()

        let reader = StatsReader(redis: RedisConnection(configuration: redisConfiguration), namespace: namespace)
        let outcomes = try await reader.unitOfWork(seconds: 10)
        let bid = try #require(outcomes.first { $0.operation == "auction.bid" })
        #expect(bid.commits == 8)
        #expect(bid.rollbacks == [.ruleRejected: 1])
        #expect(bid.duration.count == 9)
        #expect(bid.commitSeries.reduce(0, +) == 8)
        let p99 = try #require(bid.duration.percentileMicros(0.99))
        #expect(p99 >= 40_000 && p99 <= 50_000)
        #expect(outcomes.first { $0.operation == "nft.buy" }?.rollbacks == [.conflict: 1])
        let locks = try await reader.locks(seconds: 10)
        let prefix = try #require(locks.first { $0.prefix == "auction:bid" })
        #expect(prefix.acquired == 1)
        #expect(prefix.waited == 1)
        #expect(prefix.timedOut == 1)
        #expect(try await reader.reportingProcesses() == ["host-a:1", "host-b:2"])
    }

    @Test func countsSurviveAFlushWhileRedisIsDown() async throws {
        let redisServer = try TestRedisServer()
        let redisConfiguration = try RedisConfiguration(url: redisServer.url)
        let recorder = StatsRecorder(redis: RedisConnection(configuration: redisConfiguration), namespace: "s:", processName: "p:1")
        redisServer.kill()
        recorder.recordUnitOfWork(operation: "offer.make", outcome: .commit, duration: .milliseconds(1))
        await recorder.flush()
        try redisServer.start()
        try await Task.sleep(for: .milliseconds(300))
        await recorder.flush()
        let reader = StatsReader(redis: RedisConnection(configuration: redisConfiguration), namespace: "s:")
        #expect(try await reader.unitOfWork(seconds: 10).first?.commits == 1)
    }

    @Test func histogramPercentilesStayWithinABucket() {
        var histogram = LatencyHistogram()
        for micros in 1...1000 { histogram.record(micros: Int64(micros) * 100) }
        let p50 = try! #require(histogram.percentileMicros(0.5))
        let p99 = try! #require(histogram.percentileMicros(0.99))
        #expect(p50 >= 50_000 && p50 <= 50_000 * 1.25)
        #expect(p99 >= 99_000 && p99 <= 99_000 * 1.25)
        #expect(histogram.count == 1000)
    }
}
