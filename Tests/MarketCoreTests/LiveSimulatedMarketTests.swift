@testable import MarketCore
@testable import MarketSimulation
import Testing

/// A simulated market left running stays live: its hot auction ends and its presale sells out,
/// and the traffic opens the next of each instead of bidding on an ended auction for ever.
@Suite("Live simulated market")
struct LiveSimulatedMarketTests {
    @Test func theHotAuctionAndThePresaleAreRenewedAsTheyRunOut() async throws {
        try await TestServers.withServices(maxConnections: 16) { services in
            var configuration = SimulationConfiguration()
            configuration.clients = 8
            configuration.duration = .seconds(300)
            configuration.seed = 7
            configuration.hotSkew = 0.6
            configuration.gatewayLatency = .zero
            configuration.users = 200
            configuration.channels = 10
            configuration.presaleSupply = 3
            configuration.hotAuctionLength = .milliseconds(300)
            let market = Market(services: services, gateways: MarketSimulator.gateways(for: configuration))
            let traffic = Task { try await MarketSimulator(market: market, configuration: configuration).run { _ in } }

            // Traffic runs until both have been renewed (however fast the machine is), then stops.
            // The seeder's hot auction was created before its end was set; the renewed ones run exactly 0.3 s.
            var renewal = (presales: 0, hotAuctions: 0, hotBids: 0)
            let deadline = ContinuousClock.now + .seconds(240)
            while renewal.presales < 2 || renewal.hotAuctions < 2 || renewal.hotBids == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                let row = try await services.pool.query("""
                    SELECT (SELECT count(*) FROM presales),
                           count(*), COALESCE(sum(bid_count), 0) FROM auctions WHERE ends_at - created_at = interval '0.3 second'
                    """).rows[0]
                renewal = (try row.decode(Int.self, at: 0), try row.decode(Int.self, at: 1), try row.decode(Int.self, at: 2))
            }
            traffic.cancel()
            let totals = try await traffic.value

            #expect(totals.commits + totals.totalRollbacks + totals.skipped == totals.operations)
            #expect(renewal.presales >= 2, "a sold-out presale is followed by the next drop")
            #expect(renewal.hotAuctions >= 2, "an ended hot auction is followed by the next one")
            #expect(renewal.hotBids > 0, "the renewed hot auctions take the hot bids")
            let oversold = try await services.pool.query("SELECT count(*) FROM presales WHERE sold > supply").rows[0]
            #expect(try oversold.decode(Int.self, at: 0) == 0)
            let violations = try await InvariantChecker(pool: services.pool).check()
            #expect(violations.isEmpty, "\(violations.prefix(5).map(\.description).joined(separator: "\n"))")
        }
    }
}
