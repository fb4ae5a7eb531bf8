import ArgumentParser
import Foundation
import MarketCore
import MarketSimulation
import Synchronization

/// `bench bid`: uncontended auction bids (each client on its own auctions) beside pgbench's TPC-B-like script.
struct BidBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bid", abstract: "Auction bids/s and latency over 10,000 auctions beside pgbench (TPC-B-like).")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var options: BenchOptions
    @Option(help: "Auctions to spread the bids over.") var auctions: Int = 10_000
    @Flag(help: "With a redis-sentinel:// REDIS_URL: bids through Sentinel discovery beside bids on the same master named directly (redis://), in alternating rounds, instead of pgbench.")
    var throughSentinel = false

    func run() async throws {
        try await withBenchmarkSchema(connection, name: "bid", clients: options.clients) { services in
            print("seeding \(auctions) auctions…")
            let clients = options.clients
            let seed = try await AuctionBenchmarkSeed.seed(services.pool, auctions: auctions, bidders: max(1000, clients * 8))
            let market = Market(services: services, gateways: MarketSimulator.gateways(for: SimulationConfiguration()))
            let log = LatencyLog()
            let next = NextBids()
            let bidOnce = Self.bidder(market, seed: seed, clients: clients, next: next, log: log)
            if throughSentinel {
                try await SentinelBidComparison(options: options).run(services, log: log) { directMarket in
                    Self.bidder(directMarket, seed: seed, clients: clients, next: next, log: log)
                } throughSentinel: { bidOnce }
                return
            }
            print("warming up…")
            let executors = services.pool.taskExecutors
            _ = try await measureThroughput(clients: clients, seconds: 1, on: executors, bidOnce)
            log.reset()
            let (rate, tps) = try await options.alternatingWithPgbench(
                services.configuration.database, selectOnly: false, measuring: "bids", clientsOn: executors, bidOnce)
            let measured = log.snapshot
            let p50 = measured.samples.milliseconds(atPercentile: 0.5)
            let p99 = measured.samples.milliseconds(atPercentile: 0.99)
            print(String(format: "bids/s %.0f (p50 %.2f ms, p99 %.2f ms); pgbench TPC-B-like tps %.0f", rate, p50, p99, tps))
            print(String(format: "RESULT name=bid clients=%d ops_per_s=%.0f p50_ms=%.2f p99_ms=%.2f pgbench_tps=%.0f ratio=%.3f",
                         clients, rate, p50, p99, tps, rate / tps))
        }
    }

    /// One uncontended bid of client `client`, its `index`th.
    ///
    /// Client c bids only on auctions i with i % clients == c, so it knows each next amount, and
    /// only as bidders j with j % clients == c: the users a bid locks (the bidder and the top
    /// bidder it outbids) are then its own too, and no client waits for another's row locks.
    /// `next` holds each auction's next amount, shared by every market bidding on the same seed.
    static func bidder(_ market: Market, seed: AuctionBenchmarkSeed, clients: Int, next: NextBids,
                       log: LatencyLog) -> @Sendable (Int, Int) async throws -> Void {
        let biddersPerClient = seed.bidders.count / clients
        return { client, index in
            let mine = (seed.auctions.count - client + clients - 1) / clients
            let auction = seed.auctions[client + clients * (index % max(mine, 1))]
            let amount = next.amounts.withLock { $0[auction, default: seed.startPrice] }
            let bidder = seed.bidders[client + clients * (index % biddersPerClient)]
            let started = ContinuousClock.now
            try await market.bid(auction: auction, bidder: bidder, amount: amount)
            log.record(started.duration(to: .now), committed: true)
            next.amounts.withLock { $0[auction] = amount + seed.step }
        }
    }
}

/// Each auction's next bid, shared by every market bidding on the same seed.
final class NextBids: Sendable {
    let amounts = Mutex<[Int64: Int64]>([:])
}

/// `bench hot`: every client bids on one auction; the lock queue decides who goes next.
struct HotAuctionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hot", abstract: "64 clients bidding on one auction: bids/s and latency.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Concurrent clients.") var clients: Int = 64
    @Option(help: "Seconds to measure.") var seconds: Int = 5

    func run() async throws {
        try await withBenchmarkSchema(connection, name: "hot", clients: clients) { services in
            let seed = try await AuctionBenchmarkSeed.seed(services.pool, auctions: 1, bidders: clients)
            let market = Market(services: services, gateways: MarketSimulator.gateways(for: SimulationConfiguration()))
            let auction = seed.auctions[0]
            let log = LatencyLog()
            let bidOnce: @Sendable (Int, Int) async throws -> Void = { client, _ in
                let started = ContinuousClock.now
                do {
                    // Each client bids what it last saw plus a step; a faster rival makes that too low.
                    let current = try await AuctionBenchmarkSeed.minimumBid(services.pool, auction: auction)
                    try await market.bid(auction: auction, bidder: seed.bidders[client], amount: current)
                    log.record(started.duration(to: .now), committed: true)
                } catch is MarketError {
                    log.record(started.duration(to: .now), committed: false)
                }
            }
            print("measuring \(clients) clients bidding on auction \(auction) for \(seconds) s…")
            let attempts = try await measureThroughput(clients: clients, seconds: seconds, bidOnce)
            let measured = log.snapshot
            let rate = Double(measured.committed) / Double(seconds)
            let p50 = measured.samples.milliseconds(atPercentile: 0.5)
            let p99 = measured.samples.milliseconds(atPercentile: 0.99)
            print(String(format: "attempts/s %.0f, committed bids/s %.0f, p50 %.2f ms, p99 %.2f ms (p99/p50 %.1f)",
                         attempts, rate, p50, p99, p99 / max(p50, 0.001)))
            // Every attempt is a full locked Unit of Work (a too-low bid is refused inside it).
            print(String(format: "RESULT name=hot clients=%d ops_per_s=%.0f committed_per_s=%.0f p50_ms=%.2f p99_ms=%.2f",
                         clients, attempts, rate, p50, p99))
        }
    }
}
