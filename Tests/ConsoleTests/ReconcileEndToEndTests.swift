import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import TestSupport
import Testing

/// The acceptance with the real binary: simulated traffic with many unknown gateway
/// outcomes, then `reconcile --once` as a reconciler login, then `check`.
@Suite("Reconcile end to end", .serialized)
struct ReconcileEndToEndTests {
    @Test func reconcileOnceSettlesWhatTheGatewaysShowAndLeavesOnlyTheStillUnknown() async throws {
        try await HeavyTestGate.run {
            let binary = try ConsoleEndToEndTests.consoleBinary()
            try await ConsoleEndToEndTests.withFreshMarket("rec") { services, database, redis, tag in
                let environment = ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": "rec:\(tag):"]
                let clock = ContinuousClock()
                var started = clock.now
                let simulated = await ChildProcessRunner.runOffThePool(binary, ["simulate", "--clients", "16", "--operations", "5000", "--unknown-rate", "0.3",
                                                                "--users", "500", "--seed", "17"],
                                                       environment: environment, timeout: 300)
                #expect(simulated.status == 0, "\(simulated.output.suffix(2_000))")
                print("simulate --operations 5000 --unknown-rate 0.3: \(started.duration(to: clock.now))")
                let unknownBefore = try await Self.count(services, "attempts > 0")
                #expect(unknownBefore > 20, "the traffic should leave unknown outcomes")

                // Every effect the gateways show within seconds is visible (the late ones take ten minutes).
                let deadline = clock.now + .seconds(30)
                while try await services.pool.query("""
                    SELECT count(*)::int FROM simulated_gateway_effects WHERE visible_at > now() AND visible_at < now() + interval '1 minute'
                    """).rows[0].decode(Int.self, at: 0) > 0 {
                    try #require(clock.now < deadline, "simulated effects should become visible within seconds")
                    try await Task.sleep(for: .milliseconds(200))
                }

                let login = "rec_\(tag)"
                _ = try await services.pool.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(login) LOGIN IN ROLE market_reconciler"))
                var reconcilerEnvironment = environment
                reconcilerEnvironment["DATABASE_URL"] = try OperatorLogins.url(database, as: login)
                started = clock.now
                let reconciled = await ChildProcessRunner.runOffThePool(binary, ["reconcile", "--once", "--seed", "17"], environment: reconcilerEnvironment,
                                                        timeout: 300)
                print("reconcile --once over \(unknownBefore) unknown outcomes: \(started.duration(to: clock.now))")
                #expect(reconciled.status == 0, "\(reconciled.output)")
                let result = try #require(reconciled.output.split(separator: "\n").first { $0.hasPrefix("RESULT name=reconcile ") },
                                          "\(reconciled.output)")
                print(result)
                let fields = Dictionary(uniqueKeysWithValues: result.split(separator: " ").dropFirst().compactMap { field in
                    field.split(separator: "=").count == 2 ? (String(field.split(separator: "=")[0]), String(field.split(separator: "=")[1])) : nil
                })
                let resolved = try #require(fields["resolved"].flatMap { Int($0) })
                let left = try #require(fields["left"].flatMap { Int($0) })
                #expect(resolved + left == unknownBefore)
                #expect(resolved > 3 * left, "most should be settled: \(result)")

                // What is left is exactly what the simulated gateways do not show yet (the late ones).
                #expect(try await Self.count(services, "attempts > 0") == left)
                let stillUnknown = try await services.pool.query("""
                    SELECT count(*)::int FROM (
                        SELECT gateway_key AS request_key FROM channel_transfers WHERE state = 'pending'
                        UNION ALL SELECT 'withdrawal:' || id FROM withdrawals WHERE state = 'pending') p
                    JOIN simulated_gateway_effects e USING (request_key)
                    WHERE e.visible_at > now()
                    """).rows[0].decode(Int.self, at: 0)
                #expect(stillUnknown == left)
                let asked = try await Self.count(services, "reconcile_asks = 1 AND last_error LIKE 'reconciler asked%'")
                #expect(asked == left)

                let checked = await ChildProcessRunner.runOffThePool(binary, ["check"], environment: environment)
                #expect(checked.status == 0, "\(checked.output)")

                // The audit names the reconciler and carries the gateways' evidence.
                let audit = try await services.pool.query("""
                    SELECT count(*)::int,
                           count(*) FILTER (WHERE action = 'reconcile-withdrawal' AND detail LIKE 'sent, tx %' AND reason LIKE 'TON tx % carries key withdrawal:%')::int,
                           count(*) FILTER (WHERE action = 'reconcile-transfer' AND reason LIKE 'Telegram: %')::int,
                           count(*) FILTER (WHERE role = 'reconciler')::int
                    FROM operator_actions WHERE operator = \(login) AND outcome = 'done'
                    """).rows[0]
                #expect(try audit.decode(Int.self, at: 0) == resolved)
                #expect(try audit.decode(Int.self, at: 1) > 0)
                #expect(try audit.decode(Int.self, at: 2) > 0)
                #expect(try audit.decode(Int.self, at: 3) == resolved)
                let sentWithTheirHash = try await services.pool.query("""
                    SELECT count(*)::int FROM withdrawals w JOIN simulated_gateway_effects e ON e.request_key = 'withdrawal:' || w.id
                    WHERE w.resolved_by = \(login) AND w.state = 'sent' AND w.tx_hash = e.result AND e.outcome = 'done'
                    """).rows[0].decode(Int.self, at: 0)
                let sentByReconciler = try await services.pool.query("""
                    SELECT count(*)::int FROM withdrawals WHERE resolved_by = \(login) AND state = 'sent'
                    """).rows[0].decode(Int.self, at: 0)
                #expect(sentWithTheirHash == sentByReconciler)
                await OperatorLogins.drop([login], in: services)
            }
        }
    }

    /// Pending transfers and withdrawals matching `condition`.
    static func count(_ services: MarketServices, _ condition: String) async throws -> Int {
        try await services.pool.query(PostgresQuery(unsafeSQL: """
            SELECT (SELECT count(*) FROM channel_transfers WHERE state = 'pending' AND \(condition))
                 + (SELECT count(*) FROM withdrawals WHERE state = 'pending' AND \(condition))
            """)).rows[0].decode(Int.self, at: 0)
    }
}
