import ArgumentParser
import Foundation
import MarketCore
import MarketSimulation

/// `market-console simulate`: seeds a market and drives simulated user traffic through the core.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate", abstract: "Seed a market and drive simulated traffic through MarketCore.")

    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Concurrent clients.") var clients: Int = 16
    @Option(help: "Stop after this many operations.") var operations: Int?
    @Option(help: "Stop after this many seconds.") var duration: Double?
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Share of bids on one hot auction (0…1).") var hotSkew: Double = 0.2
    @Option(help: "Share of gateway calls that fail (0…1).") var failRate: Double = 0.05
    @Option(help: "Share of gateway calls with an unknown outcome (0…1).") var unknownRate: Double = 0.02
    @Option(help: "Users to seed.") var users: Int = 2000
    @Option(help: "Seconds each simulated Telegram or TON call takes (held under its operation's lock).")
    var gatewayLatency: Double = 0.002

    func validate() throws {
        guard clients > 0, users > 0 else { throw ValidationError("--clients and --users must be positive") }
        guard operations == nil || duration == nil else { throw ValidationError("give --operations or --duration, not both") }
        for (name, value) in [("--hot-skew", hotSkew), ("--fail-rate", failRate), ("--unknown-rate", unknownRate)]
        where !(0...1).contains(value) {
            throw ValidationError("\(name) must be between 0 and 1")
        }
        guard failRate + unknownRate <= 1 else { throw ValidationError("--fail-rate plus --unknown-rate cannot exceed 1") }
        if let duration { _ = try FiniteSeconds.duration(duration, option: "--duration", minimum: 0) }
        _ = try FiniteSeconds.duration(gatewayLatency, option: "--gateway-latency", minimum: 0, maximum: 60)
    }

    func run() async throws {
        var configuration = SimulationConfiguration()
        configuration.clients = clients
        configuration.operations = operations
        configuration.duration = try duration.map { try FiniteSeconds.duration($0, option: "--duration", minimum: 0) }
        configuration.seed = seed
        configuration.hotSkew = hotSkew
        configuration.failureRate = failRate
        configuration.unknownRate = unknownRate
        configuration.users = users
        configuration.gatewayLatency = try FiniteSeconds.duration(gatewayLatency, option: "--gateway-latency", minimum: 0, maximum: 60)
        try await withConnectedServices(connection, as: .traffic, clients: clients) { services, _ in
            // The simulated Telegram and TON record what they did in the database, where `reconcile` asks.
            let gateways = MarketSimulator.gateways(for: configuration, effects: PostgresGatewayEffects(pool: services.pool))
            let market = Market(services: services, gateways: gateways)
            let totals = try await MarketSimulator(market: market, configuration: configuration).run { print($0) }
            print(String(format: "done: %d operations in %.1f s (%.0f ops/s), %d commits, %d rollbacks, %d skipped (nothing to act on)",
                         totals.operations, totals.elapsedSeconds, totals.operationsPerSecond, totals.commits, totals.totalRollbacks,
                         totals.skipped))
            for (reason, count) in totals.rollbacks.sorted(by: { $0.value > $1.value }) {
                print("  rollback \(reason.rawValue): \(count)")
            }
            for (name, count) in totals.byOperation.sorted(by: { $0.key < $1.key }) {
                print("  \(name): \(count)")
            }
        }
    }
}
