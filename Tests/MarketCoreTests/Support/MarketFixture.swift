import Foundation
@testable import MarketCore

/// A market in a fresh schema with simulated gateways, and shortcuts to seed it.
struct MarketFixture {
    let services: MarketServices
    let market: Market
    let gateways: SimulatedGateways
    /// The operator logins the test connected as (``operatorNamed(_:role:reason:)``).
    let sessions = OperatorSessions()

    /// Runs `body` against a fresh market; gateways behave as `behaviour` (reliable by default),
    /// Telegram as `telegram` when one is given. The two-person rule is off unless `twoPersonActions`
    /// names actions, so each action's own tests run it directly. The fixture's own connections
    /// are the test servers' superuser: operators act through ``operatorNamed(_:role:reason:)``.
    static func run<T>(behaviour: SimulatedGateways.Behaviour = .init(), telegram: (any TelegramGateway)? = nil,
                       maxConnections: Int = 16, twoPersonActions: Set<OperatorAction> = [],
                       _ body: (MarketFixture) async throws -> T) async throws -> T {
        try await TestServers.withServices(maxConnections: maxConnections) { services in
            let simulated = SimulatedGateways(behaviour: behaviour, seed: 7)
            let gateways = Gateways(telegram: telegram ?? simulated, ton: simulated,
                                    retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5)))
            let market = Market(services: services, gateways: gateways)
            try await market.setTwoPersonActions(twoPersonActions)
            let fixture = MarketFixture(services: services, market: market, gateways: simulated)
            do {
                let result = try await body(fixture)
                await fixture.sessions.closeAll(dropWith: services.pool)
                return result
            } catch {
                await fixture.sessions.closeAll(dropWith: services.pool)
                throw error
            }
        }
    }

    /// A new user with `balance` deposited through the market.
    func user(_ name: String = "user", balance: Int64 = 0) async throws -> Int64 {
        let id = try await services.pool.query("INSERT INTO users (name) VALUES (\(name)) RETURNING id").rows[0].decode(Int64.self, at: 0)
        if balance > 0 { try await market.deposit(user: id, amount: balance, reference: "seed:\(id)") }
        return id
    }

    /// A new NFT owned by `owner` (seeded: NFTs enter the market through presales).
    func nft(owner: Int64, gift: String = "Plush Pepe") async throws -> Int64 {
        try await services.pool.query("INSERT INTO nfts (gift, owner_id) VALUES (\(gift), \(owner)) RETURNING id").rows[0].decode(at: 0)
    }

    func balance(_ user: Int64) async throws -> (balance: Int64, held: Int64) {
        let row = try await services.pool.query("SELECT balance, held FROM users WHERE id = \(user)").rows[0]
        return (try row.decode(at: 0), try row.decode(at: 1))
    }

    func value<T: PostgresDecodable>(_ query: PostgresQuery, as type: T.Type = T.self) async throws -> T {
        try await services.pool.query(query).rows[0].decode(at: 0)
    }

    /// The invariant checker's verdict on the whole market.
    func violations() async throws -> [InvariantViolation] {
        try await InvariantChecker(pool: services.pool).check()
    }
}

let ton = TON.nano
