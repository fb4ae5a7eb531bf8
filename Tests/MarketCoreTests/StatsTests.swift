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
        let reader = StatsReader(redis: RedisConnection(configuration: redisConfiguration), namespace: "s:")
        // The recorder reconnects on its own schedule: flush until the kept count lands (exactly once).
        try await waitUntil("the count kept while Redis was down is written", within: .seconds(5)) {
            await recorder.flush()
            return try await reader.unitOfWork(seconds: 10).first?.commits ?? 0 > 0
        }
        #expect(try await reader.unitOfWork(seconds: 10).first?.commits == 1)
    }

    /// The dashboard's reader sums a settled second once and the newest seconds on every read.
    @Test func aCachingReaderRereadsOnlySecondsThatAreNotOver() async throws {
        let redisConfiguration = try #require(try TestServers.configuration().redis)
        let redis = RedisConnection(configuration: redisConfiguration)
        let keys = StatsKeys(namespace: redisConfiguration.namespace)
        // `now` is a second still to come, so it cannot settle while the test runs, however loaded
        // the machine; `settled` is long over.
        let now = StatsRecorder.currentSecond() + 20
        let settled = now - 26
        _ = try await redis.pipeline([
            ["HSET", RedisArgument(keys.unitOfWork(second: settled)), "auction.bid|commit", "2", "auction.bid|h:30", "2",
             "auction.bid|us", "1000"],
            ["HSET", RedisArgument(keys.unitOfWork(second: now)), "auction.bid|commit", "1", "auction.bid|rb:conflict", "1"],
            ["HSET", RedisArgument(keys.locks(second: settled)), "auction:bid|acquired", "4", "auction:bid|wh:3", "1",
             "auction:bid|wait_us", "30"],
        ])
        let caching = StatsReader(redis: redis, namespace: redisConfiguration.namespace, cache: StatsSecondsCache())
        let plain = StatsReader(redis: redis, namespace: redisConfiguration.namespace)
        let first = try await caching.unitOfWork(seconds: 30, endingAt: now)
        #expect(first == (try await plain.unitOfWork(seconds: 30, endingAt: now)))
        let bid = try #require(first.first)
        #expect(bid.commits == 3)
        #expect(bid.commitSeries[3] == 2)
        #expect(bid.commitSeries[29] == 1)
        #expect(bid.rollbacks == [.conflict: 1])
        #expect(bid.rollbackSeries[29] == 1)
        #expect(bid.duration.count == 2)
        #expect(bid.duration.sumMicros == 1000)
        #expect(try await caching.locks(seconds: 30, endingAt: now) == (try await plain.locks(seconds: 30, endingAt: now)))
        #expect(try await caching.locks(seconds: 30, endingAt: now).first?.acquired == 4)

        _ = try await redis.pipeline([
            ["HINCRBY", RedisArgument(keys.unitOfWork(second: settled)), "auction.bid|commit", "5"],
            ["HINCRBY", RedisArgument(keys.unitOfWork(second: now)), "auction.bid|commit", "5"],
        ])
        #expect(try await caching.unitOfWork(seconds: 30, endingAt: now).first?.commitSeries[3] == 2)
        #expect(try await caching.unitOfWork(seconds: 30, endingAt: now).first?.commits == 8)
        #expect(try await plain.unitOfWork(seconds: 30, endingAt: now).first?.commits == 13)
        redis.close()
    }

    /// A console open for days reads a sliding window every refresh: the cache holds that window's
    /// settled seconds, never the history it slid over.
    @Test func aCachingReaderKeepsOnlyTheLatestWindow() async throws {
        let redisConfiguration = try #require(try TestServers.configuration().redis)
        let redis = RedisConnection(configuration: redisConfiguration)
        let keys = StatsKeys(namespace: redisConfiguration.namespace)
        let cache = StatsSecondsCache()
        let reader = StatsReader(redis: redis, namespace: redisConfiguration.namespace, cache: cache)
        let end = StatsRecorder.currentSecond() - 100  // every second read is long settled
        _ = try await redis.send("HSET", RedisArgument(keys.unitOfWork(second: end - 200)), "auction.bid|commit", "1")
        for slide in stride(from: 0, through: 90, by: 3) {
            _ = try await reader.unitOfWork(seconds: 10, endingAt: end - 90 + Int64(slide))
            #expect(cache.unitOfWork.count <= 10)
        }
        #expect(cache.unitOfWork.count == 10)
        // A wider window afterwards still reads every second it covers (the old ones again from Redis).
        let wide = try await reader.unitOfWork(seconds: 201, endingAt: end)
        #expect(wide.first?.commitSeries[0] == 1)
        #expect(cache.unitOfWork.count == 201)
        redis.close()
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
