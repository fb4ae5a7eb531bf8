import MarketCore

/// How big a market the simulator seeds and how it drives traffic through it.
public struct SimulationConfiguration: Sendable {
    /// Concurrent clients, each running one operation after another.
    public var clients: Int = 16
    /// Stop after this many operations in all…
    public var operations: Int? = nil
    /// …or after this long (one of the two; with neither, 10,000 operations).
    public var duration: Duration? = nil
    /// Seed of every random choice (the interleaving of clients still varies).
    public var seed: UInt64 = 1
    /// Share of bids that go to one hot auction (0…1).
    public var hotSkew: Double = 0.2
    /// Gateways: share of calls that fail, and share whose outcome is unknown.
    public var failureRate: Double = 0.05
    public var unknownRate: Double = 0.02
    /// Gateway latency.
    public var gatewayLatency: Duration = .milliseconds(2)
    /// Gateways: how long after an unknown-outcome call its status may still be unknown (at most),
    /// and the share of those calls the gateway shows only after `gatewayLateDelay`.
    public var gatewayVisibilityDelay: Duration = .seconds(3)
    public var gatewayLateShare: Double = 0.1
    public var gatewayLateDelay: Duration = .seconds(600)

    /// The seeded market's size.
    public var users: Int = 2000
    public var nftsPerUser: Int = 3
    public var channels: Int = 60
    /// NFTs a presale offers; by default 2 per user, at least 1,000. A sold-out presale is
    /// followed by the next drop.
    public var presaleSupply: Int? = nil
    /// Bids that are not the hot auction's go to auctions ending within this window when any
    /// does (bidding gathers at the end, as on a real market), else to any live auction.
    public var biddingWindow: Duration = .seconds(120)
    /// How long a hot auction runs; when it ends the next one opens.
    public var hotAuctionLength: Duration = .seconds(3600)
    /// At most this many live auctions: sellers open new ones only below it, as a market's
    /// listings hover around a level rather than pile up while presales mint NFTs. nil: no limit.
    public var liveAuctionLimit: Int? = nil
    /// How long a proposal waits at least before its trade's owner accepts or rejects it.
    public var proposalAnswerDelay: Duration = .seconds(5)

    public init() {}

    /// How long a new (not hot) auction runs, as on a real market: from minutes to a day, with a
    /// realistic share ending within minutes — 30 % in 2–10 min, 30 % in 10–60 min, 25 % in
    /// 1–6 h, 15 % in 6–24 h — so a moderator can open a live auction, read it and cancel it.
    public static func auctionLength(_ random: inout SeededRandom) -> Duration {
        let minutes: ClosedRange<Double> = switch random.unit() {
        case ..<0.30: 2...10
        case ..<0.60: 10...60
        case ..<0.85: 60...360
        default: 360...1_440
        }
        return .seconds(Int64((minutes.lowerBound + (minutes.upperBound - minutes.lowerBound) * random.unit()) * 60))
    }

    /// `presaleSupply`, or its default for the market's size.
    var presaleNFTs: Int { presaleSupply ?? max(1000, users * 2) }
}

/// What a simulation did.
public struct SimulationTotals: Sendable, Equatable {
    public var operations = 0
    public var commits = 0
    /// Operations that found nothing to run on (no listed NFT to buy, say), and hot bids that
    /// found the hot auction over and opened the next one instead.
    public var skipped = 0
    public var rollbacks: [RollbackReason: Int] = [:]
    /// Operations per kind, e.g. "auction.bid": 4012.
    public var byOperation: [String: Int] = [:]
    public var elapsedSeconds: Double = 0

    public var operationsPerSecond: Double { elapsedSeconds > 0 ? Double(operations) / elapsedSeconds : 0 }
    public var totalRollbacks: Int { rollbacks.values.reduce(0, +) }

    mutating func merge(_ other: SimulationTotals) {
        operations += other.operations
        commits += other.commits
        skipped += other.skipped
        for (reason, count) in other.rollbacks { rollbacks[reason, default: 0] += count }
        for (name, count) in other.byOperation { byOperation[name, default: 0] += count }
    }
}
