import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import Testing

/// `market-console snapshot` run as a script would: its JSON rows are the database's rows.
@Suite("Snapshot command")
struct SnapshotCommandTests {
    @Test func theAuctionsSnapshotListsLiveAuctionsWithTheirIdsAsJSON() async throws {
        try await FreshMarket.with("snap") { fresh in
            let seller = try await fresh.user("seller")
            var auctions: [Int64] = []
            for (index, gift) in ["Plush Pepe", "Swiss Watch", "Plush Pepe"].enumerated() {
                let nft = try await fresh.services.pool.query("INSERT INTO nfts (gift, serial, owner_id) VALUES (\(gift), \(index), \(seller)) RETURNING id")
                    .rows[0].decode(Int64.self, at: 0)
                auctions.append(try await fresh.market.createAuction(nft: nft, seller: seller, startPrice: 1_000_000_000, minStep: 1,
                                                                     duration: .seconds(600 + index * 60)))
            }

            let result = try await fresh.run(["snapshot", "--view", "auctions", "--json", "--filter", "pepe"])
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
