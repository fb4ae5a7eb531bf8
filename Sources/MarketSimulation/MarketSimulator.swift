import Foundation
import MarketCore
import Synchronization

/// Seeds a market and drives a mix of user traffic through ``Market`` with concurrent clients.
///
/// Each client picks an operation by weight (bids most), picks its targets at random — a share
/// of bids go to one hot auction — and runs it; rule refusals are part of realistic traffic and
/// are counted as rollbacks by reason, as the Units of Work record them.
public struct MarketSimulator: Sendable {
    public let market: Market
    public let configuration: SimulationConfiguration

    public init(market: Market, configuration: SimulationConfiguration) {
        self.market = market
        self.configuration = configuration
    }

    /// The simulated gateways for a configuration's failure rates, recording their effects in
    /// `effects` (this process's memory by default; ``PostgresGatewayEffects`` when another
    /// process, a reconciler, asks them what they did).
    public static func gateways(for configuration: SimulationConfiguration,
                                effects: any SimulatedGatewayEffects = MemoryGatewayEffects()) -> Gateways {
        let simulated = SimulatedGateways(behaviour: .init(failureRate: configuration.failureRate, unknownRate: configuration.unknownRate,
                                                           latency: configuration.gatewayLatency,
                                                           visibilityDelay: configuration.gatewayVisibilityDelay,
                                                           lateShare: configuration.gatewayLateShare,
                                                           lateDelay: configuration.gatewayLateDelay),
                                          seed: configuration.seed, effects: effects)
        return Gateways(telegram: simulated, ton: simulated,
                        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(5), maxDelay: .milliseconds(50)))
    }

    /// Seeds the market, then runs the traffic; `progress` gets a line about once a second.
    public func run(progress: @escaping @Sendable (String) -> Void) async throws -> SimulationTotals {
        let seeded = try await MarketSeeder(market: market, configuration: configuration).seed(progress: progress)
        let targets = LiveTargets(hotAuction: seeded.hotAuction, presale: seeded.presale)
        let limit = configuration.operations ?? (configuration.duration == nil ? 10_000 : Int.max)
        let deadline = configuration.duration.map { ContinuousClock.now + $0 }
        let shared = SharedProgress()
        let started = ContinuousClock.now
        let reporter = Task {
            while (try? await Task.sleep(for: .seconds(1))) != nil {
                let totals = shared.totals.withLock { $0 }
                let seconds = started.duration(to: .now).milliseconds / 1000
                progress(String(format: "%6.0f s  %8d ops  %7.0f ops/s  %d commits  %d rollbacks", seconds, totals.operations,
                                Double(totals.operations) / max(seconds, 0.001), totals.commits, totals.totalRollbacks))
            }
        }
        defer { reporter.cancel() }
        var totals = try await withThrowingTaskGroup(of: SimulationTotals.self) { group in
            for client in 0..<configuration.clients {
                let traffic = SimulatedClient(market: market, seeded: seeded, targets: targets, configuration: configuration,
                                              random: SeededRandom(seed: configuration.seed &+ UInt64(client) &* 0x9E37_79B9))
                group.addTask {
                    var client = traffic
                    var mine = SimulationTotals()
                    while !Task.isCancelled, shared.issued.add(1, ordering: .relaxed).newValue <= limit {
                        if let deadline, ContinuousClock.now >= deadline { break }
                        let step = await client.step()
                        mine.merge(step)
                        shared.totals.withLock { $0.merge(step) }
                    }
                    return mine
                }
            }
            return try await group.reduce(into: SimulationTotals()) { $0.merge($1) }
        }
        totals.elapsedSeconds = started.duration(to: .now).milliseconds / 1000
        return totals
    }
}

/// Counters the clients and the progress reporter share.
private final class SharedProgress: Sendable {
    let issued = Atomic<Int>(0)
    let totals = Mutex(SimulationTotals())
}
