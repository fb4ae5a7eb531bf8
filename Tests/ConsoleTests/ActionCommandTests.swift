import Foundation
import Testing
@testable import MarketCore

/// `market-console action …` as a script runs it: the exit status and the JSON say how it ended.
@Suite("Headless action command")
struct ActionCommandTests {
    @Test func exitStatusesTellDoneRefusedForbiddenBadUsageAndUnavailableApart() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let base = environment["DATABASE_URL"], let redis = environment["REDIS_URL"] else {
            Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
            return
        }
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let database = try await ConsoleEndToEndTests.createDatabase(named: "act_\(tag)", from: base)
        var configuration = try MarketConfiguration(databaseURL: database, redisURL: redis)
        configuration.redis?.namespace = "act:\(tag):"
        let services = try await MarketServices.connect(configuration)
        let market = Market(services: services, gateways: MarketSimulator.gateways(for: SimulationConfiguration()))
        let mia = "mia_\(tag)", vic = "vic_\(tag)"
        try await OperatorLogins.create(mia, role: .moderator, in: services)
        try await OperatorLogins.create(vic, role: nil, in: services)
        let seller = try await ConsoleEndToEndTests.user("seller", in: services)
        let nft = try await services.pool.query("INSERT INTO nfts (gift, owner_id) VALUES ('Plush Pepe', \(seller)) RETURNING id")
            .rows[0].decode(Int64.self, at: 0)
        let auction = try await market.createAuction(nft: nft, seller: seller, startPrice: 1_000_000_000, minStep: 1, duration: .seconds(600))
        let binary = try ConsoleEndToEndTests.consoleBinary()
        let env = ["DATABASE_URL": try OperatorLogins.url(database, as: mia), "REDIS_URL": redis, "REDIS_NAMESPACE": "act:\(tag):"]
        func action(_ arguments: [String], environment: [String: String] = env) -> ChildProcessResult {
            ChildProcessRunner.run(binary, ["action"] + arguments, environment: environment)
        }
        var asVic = env
        asVic["DATABASE_URL"] = try OperatorLogins.url(database, as: vic)
        func json(_ result: ChildProcessResult) throws -> [String: Any] {
            let line = try #require(result.output.split(separator: "\n").last { $0.hasPrefix("{") }, "\(result.output)")
            return try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }

        // Who acts is the login, not a flag: vic's login is refused whatever --operator says, and a
        // flag naming another login than the authenticated one is bad usage.
        let forbidden = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--json"], environment: asVic)
        #expect(forbidden.status == 3)
        #expect(try json(forbidden)["outcome"] as? String == "forbidden")
        #expect(try json(forbidden)["operator"] as? String == vic)
        let claimed = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--operator", mia], environment: asVic)
        #expect(claimed.status == 2, "\(claimed.output)")
        #expect(claimed.output.contains("--operator \(mia) is not who PostgreSQL authenticated (login \(vic))"), "\(claimed.output)")

        let missing = action(["cancel-auction", "--id", "999999", "--reason", "spam", "--operator", mia])
        #expect(missing.status == 1, "\(missing.output)")

        let stale = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--operator", mia, "--version", "99", "--json"])
        #expect(stale.status == 1)
        #expect((try json(stale)["message"] as? String)?.contains("changed since you looked") == true)

        let noReason = action(["cancel-auction", "--id", "\(auction)", "--operator", mia])
        #expect(noReason.status == 2)

        let unreachable = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--operator", mia, "--json"],
                                 environment: ["DATABASE_URL": "postgresql://market@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1/0"])
        #expect(unreachable.status == 4, "\(unreachable.output)")
        #expect(try json(unreachable)["outcome"] as? String == "unavailable")

        let done = action(["cancel-auction", "--id", "\(auction)", "--reason", "spam", "--operator", mia, "--json"])
        #expect(done.status == 0, "\(done.output)")
        let document = try json(done)
        #expect(document["outcome"] as? String == "done")
        #expect(document["target"] as? String == "auction:\(auction)")
        #expect(try await services.pool.query("SELECT state FROM auctions WHERE id = \(auction)").rows[0].decode(String.self, at: 0) == "cancelled")
        #expect(try await services.pool.query("SELECT cancelled_by FROM auctions WHERE id = \(auction)").rows[0].decode(String.self, at: 0) == mia)
        await OperatorLogins.drop([mia, vic], in: services)
        await services.shutdown()
    }
}
