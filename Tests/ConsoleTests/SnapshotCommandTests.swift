import Foundation
import Testing
@testable import MarketCore

/// `market-console snapshot` run as a script would: its JSON rows are the database's rows.
@Suite("Snapshot command")
struct SnapshotCommandTests {
    @Test func theAuctionsSnapshotListsLiveAuctionsWithTheirIdsAsJSON() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let baseDatabase = environment["DATABASE_URL"], let redis = environment["REDIS_URL"] else {
            Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
            return
        }
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let database = try await ConsoleEndToEndTests.createDatabase(named: "snap_\(tag)", from: baseDatabase)
        var configuration = try MarketConfiguration(databaseURL: database, redisURL: redis)
        configuration.redis?.namespace = "snap:\(tag):"
        let services = try await MarketServices.connect(configuration)
        let market = Market(services: services, gateways: MarketSimulator.gateways(for: SimulationConfiguration()))
        let seller = try await ConsoleEndToEndTests.user("seller", in: services)
        var auctions: [Int64] = []
        for (index, gift) in ["Plush Pepe", "Swiss Watch", "Plush Pepe"].enumerated() {
            let nft = try await services.pool.query("INSERT INTO nfts (gift, serial, owner_id) VALUES (\(gift), \(index), \(seller)) RETURNING id")
                .rows[0].decode(Int64.self, at: 0)
            auctions.append(try await market.createAuction(nft: nft, seller: seller, startPrice: 1_000_000_000, minStep: 1,
                                                           duration: .seconds(600 + index * 60)))
        }
        await services.shutdown()

        let result = await ChildProcessRunner.runOffThePool(try ConsoleEndToEndTests.consoleBinary(),
                                            ["snapshot", "--view", "auctions", "--json", "--filter", "pepe"],
                                            environment: ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": "snap:\(tag):"])
        #expect(result.status == 0, "\(result.output)")
        // Progress lines go to stderr; the JSON document is the output's last part.
        let json = try #require(result.output.firstIndex(of: "{").map { String(result.output[$0...]) })
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["view"] as? String == "auctions")
        let servers = try #require(document["servers"] as? [String: String])
        #expect(servers == ["postgresql": "up", "redis": "up"])
        let rows = try #require((document["panes"] as? [String: Any])?["auctions"] as? [[String: Any]])
        #expect(rows.map { $0["id"] as? Int64 } == [auctions[0], auctions[2]], "Plush Pepe auctions, ending soonest first")
        #expect(rows.map { $0["gift"] as? String } == ["Plush Pepe #0", "Plush Pepe #2"])
        #expect(rows.first?["start_price"] as? Int64 == 1_000_000_000)
    }

    @Test func anUnknownViewIsAUsageError() throws {
        let result = ChildProcessRunner.run(try ConsoleEndToEndTests.consoleBinary(), ["snapshot", "--view", "nope"],
                                            environment: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x", "REDIS_URL": "redis://127.0.0.1:1/0"])
        #expect(result.status == 2)
        #expect(result.output.contains("unknown view 'nope'"))
    }

    /// A script can tell "the market is down" (4) from a bad command line or URL (2) and from a
    /// check that found violations (1), whichever command it runs.
    @Test(arguments: [["snapshot", "--view", "auctions"], ["check"], ["operators", "list"]])
    func unreachableServersExitFourAndABadURLExitsTwo(command: [String]) throws {
        let binary = try ConsoleEndToEndTests.consoleBinary()
        let unreachable = ChildProcessRunner.run(binary, command, environment: [
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x", "REDIS_URL": "redis://127.0.0.1:1/0"])
        #expect(unreachable.status == 4, "\(unreachable.output)")
        #expect(unreachable.output.contains("cannot connect to PostgreSQL"))
        #expect(!unreachable.output.contains("Fatal error"))

        let badURL = ChildProcessRunner.run(binary, command, environment: [
            "DATABASE_URL": "postgresql://nobody@127.0.0.1:99999999/x", "REDIS_URL": "redis://127.0.0.1:1/0"])
        #expect(badURL.status == 2, "\(badURL.output)")
        #expect(badURL.output.contains("invalid database URL"))
    }
}
