import Foundation
import MarketCore
import Testing

/// The running totals behind the exporter's counters: each settled second once, nothing older than
/// the start, nothing unsettled.
@Suite("Settled statistics feed")
struct SettledStatsFeedTests {
    @Test func eachSettledSecondIsHandedOutOnceAndNothingBeforeTheStart() async throws {
        guard let url = ProcessInfo.processInfo.environment["REDIS_URL"] else {
            Issue.record("REDIS_URL is not set: run the tests with scripts/test.sh")
            return
        }
        let redis = RedisConnection(configuration: try RedisConfiguration(url: url))
        defer { redis.close() }
        let namespace = "feed-\(UInt32.random(in: 0...UInt32.max)):"
        let keys = StatsKeys(namespace: namespace)
        let start: Int64 = 1_800_000_000
        // Seconds start-10 … start+9, each with (second - start + 11) commits of auction.bid and one
        // conflict rollback, and one lost lease of auction:bid.
        var commands: [[RedisArgument]] = []
        for second in (start - 10)..<(start + 10) {
            commands.append(["HINCRBY", RedisArgument(keys.unitOfWork(second: second)), "auction.bid|commit", RedisArgument(second - start + 11)])
            commands.append(["HINCRBY", RedisArgument(keys.unitOfWork(second: second)), "auction.bid|rb:conflict", RedisArgument(1)])
            commands.append(["HINCRBY", RedisArgument(keys.locks(second: second)), "auction:bid|lost", RedisArgument(1)])
        }
        for second in (start - 10)..<(start + 10) {
            commands.append(["EXPIRE", RedisArgument(keys.unitOfWork(second: second)), RedisArgument(120)])
            commands.append(["EXPIRE", RedisArgument(keys.locks(second: second)), RedisArgument(120)])
        }
        _ = try await redis.pipeline(commands)

        // Created at `start + 5`: seconds up to start + 5 - settling (5) = start are not handed out.
        let feed = SettledStatsFeed(redis: redis, namespace: namespace, now: start + 5)
        let nothingYet = try await feed.next(now: start + 5)
        #expect(nothingYet.seconds == nil)
        #expect(nothingYet.unitOfWork.isEmpty)

        // At start + 9, seconds start+1 … start+4 have settled.
        let first = try await feed.next(now: start + 9)
        #expect(first.seconds == (start + 1)...(start + 4))
        #expect(first.unitOfWork.map(\.operation) == ["auction.bid"])
        let firstBids = try #require(first.unitOfWork.first)
        #expect(firstBids.commits == Int64(12 + 13 + 14 + 15))
        #expect(firstBids.rollbacks == [.conflict: 4])
        #expect(try #require(first.locks.first).lost == 4)

        // Again at the same time: nothing new. Later: only the seconds after the last batch.
        #expect(try await feed.next(now: start + 9).seconds == nil)
        let second = try await feed.next(now: start + 14)
        #expect(second.seconds == (start + 5)...(start + 9))
        #expect(try #require(second.unitOfWork.first).commits == Int64(16 + 17 + 18 + 19 + 20))
        #expect(try #require(second.locks.first).lost == 5)
    }
}
