import ArgumentParser
import Foundation
import MarketCore

/// `market-console reconcile`: settles pending channel transfers and withdrawals whose gateway call
/// ended "unknown", by asking Telegram and TON what happened — once (`--once`), or as a service.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile", abstract: "Settle unknown gateway outcomes on the gateways' own evidence.",
        discussion: """
            Asks Telegram (who owns the channel; did transfer request K happen) and TON (is there a transaction \
            carrying withdrawal key K) about every pending transfer and withdrawal whose outcome is unknown, and \
            settles what they show through the market's locked, audited reconciler operations. What they do not \
            show stays pending, the ask counted as an attempt. Connects as a login in market_reconciler (on the \
            embedded servers: market_reconciler_service). Telegram and TON are the simulation's, whose record is \
            in the market's database. With --once: one pass, then `RESULT name=reconcile resolved=N left=M`. \
            Without: runs until SIGINT or SIGTERM. Exit status 0, 1 on an error, 4 when a server cannot be reached.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Run one pass over every unknown outcome (backoff ignored), print the result, and exit.")
    var once = false

    @Option(help: "Seconds between passes as a service, 0.1 to 3600.")
    var interval: Double = 1

    @Option(help: "Random seed of the simulated gateways' status-query failures (printed).")
    var seed: UInt64 = 1

    @Option(help: "Share of status queries to the simulated gateways that fail, retried with backoff (0…1).")
    var failRate: Double = 0.05

    func validate() throws {
        _ = try FiniteSeconds.duration(interval, option: "--interval", minimum: 0.1, maximum: 3600)
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be between 0 and 1") }
    }

    func run() async throws {
        let interval = try FiniteSeconds.duration(interval, option: "--interval", minimum: 0.1, maximum: 3600)
        print("reconcile: simulated gateways, seed \(seed), status-query failure rate \(failRate)")
        try await withConnectedServices(connection, as: .reconciler) { services, _ in
            // One pass takes every unknown outcome at once; the service takes them in batches.
            let reconciler = Reconciler(market: Market(services: services, gateways: Self.gateways(services.pool, seed: seed,
                                                                                                 failRate: failRate)),
                                        batch: once ? Int(Int32.max) : 500)
            if once {
                let pass = try await reconciler.pass(ignoringBackoff: true)
                if let lastError = pass.lastError { print("last row left on an error: \(lastError)") }
                print("RESULT name=reconcile resolved=\(pass.resolved) left=\(pass.left) already-moved=\(pass.alreadyMoved)")
                return
            }
            let service = Task {
                try await reconciler.run(interval: interval) { pass in
                    print("resolved=\(pass.resolved) left=\(pass.left) already-moved=\(pass.alreadyMoved)"
                          + (pass.lastError.map { " last error: \($0)" } ?? ""))
                }
            }
            let signals = RunCommand.watchSignals { service.cancel() }
            defer { signals.forEach { $0.cancel() } }
            try await service.value
            print("reconcile: stopped")
        }
    }

    /// The simulated Telegram and TON as the reconciler asks them: their record in the database
    /// (``PostgresGatewayEffects``), status queries failing at `failRate`, retried with backoff.
    static func gateways(_ pool: PostgresPool, seed: UInt64, failRate: Double) -> Gateways {
        let simulated = SimulatedGateways(behaviour: .init(failureRate: min(1, failRate * 2)), seed: seed,
                                          effects: PostgresGatewayEffects(pool: pool))
        return Gateways(telegram: simulated, ton: simulated)
    }
}
