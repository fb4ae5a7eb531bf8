import Testing
@testable import MarketCore

/// A simulated market left running stays live: its hot auction ends and its presale sells out,
/// and the traffic opens the next of each instead of bidding on an ended auction for ever.
@Suite("Live simulated market")
struct LiveSimulatedMarketTests {
    @Test func theHotAuctionAndThePresaleAreRenewedAsTheyRunOut() async throws {
        try await TestServers.withServices(maxConnections: 16) { services in
            var configuration = SimulationConfiguration()
            configuration.clients = 8
            configuration.duration = .seconds(3)
            configuration.seed = 7
            configuration.hotSkew = 0.6
            configuration.gatewayLatency = .zero
            configuration.users = 200
            configuration.channels = 10
            configuration.presaleSupply = 3
            configuration.hotAuctionLength = .milliseconds(300)
            let market = Market(services: services, gateways: MarketSimulator.gateways(for: configuration))
            let totals = try await MarketSimulator(market: market, configuration: configuration).run { _ in }

            #expect(totals.commits + totals.totalRollbacks + totals.skipped == totals.operations)
            let presales = try await services.pool.query("SELECT count(*), count(*) FILTER (WHERE sold > supply) FROM presales").rows[0]
            #expect(try presales.decode(Int.self, at: 0) >= 2, "a sold-out presale is followed by the next drop")
            #expect(try presales.decode(Int.self, at: 1) == 0)
            // The seeder's hot auction was created before its end was set; the renewed ones run exactly 0.3 s.
            let renewed = try await services.pool.query("""
                SELECT count(*), COALESCE(sum(bid_count), 0) FROM auctions WHERE ends_at - created_at = interval '0.3 second'
                """).rows[0]
            #expect(try renewed.decode(Int.self, at: 0) >= 2, "an ended hot auction is followed by the next one")
            #expect(try renewed.decode(Int.self, at: 1) > 0, "the renewed hot auctions take the hot bids")
            let violations = try await InvariantChecker(pool: services.pool).check()
            #expect(violations.isEmpty, "\(violations.prefix(5).map(\.description).joined(separator: "\n"))")
        }
    }
}
