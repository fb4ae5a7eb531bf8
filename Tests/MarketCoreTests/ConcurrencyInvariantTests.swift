@testable import MarketCore
@testable import MarketSimulation
import Testing

@Suite("Invariants under concurrent traffic", .serialized)
struct ConcurrencyInvariantTests {
    static func configuration() -> SimulationConfiguration {
        var configuration = SimulationConfiguration()
        configuration.clients = 64
        configuration.operations = 20_000
        configuration.seed = 42
        configuration.hotSkew = 0.3
        configuration.failureRate = 0.3
        configuration.unknownRate = 0.1
        configuration.gatewayLatency = .zero
        configuration.users = 400
        configuration.channels = 40
        configuration.proposalAnswerDelay = .zero  // every proposal answerable at once: accepts race proposals
        return configuration
    }

    /// 64 clients, 20,000 mixed operations of every kind with a hot auction, gateways failing 30 %
    /// and unknown 10 %: afterwards the invariant checker finds nothing.
    @Test func twentyThousandMixedOperationsLeaveNoViolation() async throws {
        try await TestServers.withServices(maxConnections: 40) { services in
            let totals = try await simulate(services)
            #expect(services.locks.mode == .redis)
            #expect(totals.byOperation["trade.accept", default: 0] > 0)
        }
    }

    /// The same traffic with the lock layer on its PostgreSQL advisory-lock fallback.
    @Test func theSameTrafficOnAdvisoryLocksLeavesNoViolation() async throws {
        var configuration = try TestServers.configuration(maxConnections: 40)
        configuration.redis = nil
        let services = try await MarketServices.connect(configuration)
        do {
            #expect(services.locks.mode == .advisory)
            _ = try await simulate(services)
            await TestServers.teardown(services)
        } catch {
            await TestServers.teardown(services)
            throw error
        }
    }

    private func simulate(_ services: MarketServices) async throws -> SimulationTotals {
        let configuration = Self.configuration()
        let market = Market(services: services, gateways: MarketSimulator.gateways(for: configuration))
        let totals = try await MarketSimulator(market: market, configuration: configuration).run { _ in }
        #expect(totals.operations == 20_000)
        #expect(totals.commits + totals.totalRollbacks + totals.skipped == totals.operations)
        #expect(totals.commits > 5_000)
        #expect(Set(totals.byOperation.keys).count >= 18)
        let violations = try await InvariantChecker(pool: services.pool).check()
        #expect(violations.isEmpty, "\(violations.prefix(5).map(\.description).joined(separator: "\n"))")
        let pending = try await services.pool.query("""
            SELECT (SELECT count(*) FROM channel_transfers WHERE state = 'pending') + (SELECT count(*) FROM withdrawals WHERE state = 'pending')
            """).rows[0].decode(Int.self, at: 0)
        #expect(pending > 0, "unknown outcomes should leave pending rows for operators")
        return totals
    }
}
