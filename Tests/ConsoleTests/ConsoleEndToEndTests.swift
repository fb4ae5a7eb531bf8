import Foundation
@testable import MarketCore
@testable import MarketEmbedded
@testable import MarketSimulation
import Testing

/// The real `market-console` binary in tmux against the real servers, with the simulator's
/// traffic running beside it: an operator switches views, filters, opens a detail, reads the help
/// and quits, and what the screen shows matches the database.
@Suite("Console end to end", .serialized)
struct ConsoleEndToEndTests {
    @Test func anOperatorNavigatesTheLiveConsoleAndTheScreenMatchesTheDatabase() async throws {
        let binary = try Self.consoleBinary()
        try await Self.withFreshMarket("e2e") { services, database, redis, tag in
            try await drive(binary, services: services, database: database, redis: redis, tag: tag)
        }
    }

    /// ``FreshMarket/with(_:gateways:_:)`` for the tests that take its parts one by one.
    static func withFreshMarket(_ prefix: String,
                                _ body: (MarketServices, _ database: String, _ redis: String, _ tag: String) async throws -> Void)
        async throws {
        try await FreshMarket.with(prefix) { fresh in try await body(fresh.services, fresh.database, fresh.redis, fresh.tag) }
    }

    private func drive(_ binary: String, services: MarketServices, database: String, redis baseRedis: String, tag: String) async throws {

        // A probe auction with a name no simulated gift has, and two bids on it.
        let market = Market(services: services, gateways: MarketSimulator.gateways(for: SimulationConfiguration()))
        let seller = try await Self.user("probe-seller", in: services)
        let bidders = [try await Self.user("probe-bidder-a", in: services), try await Self.user("probe-bidder-b", in: services)]
        for bidder in bidders { try await market.deposit(user: bidder, amount: 10_000_000_000, reference: "e2e") }
        let nft = try await services.pool.query("INSERT INTO nfts (gift, serial, owner_id) VALUES ('Probe Orchid', 7, \(seller)) RETURNING id")
            .rows[0].decode(Int64.self, at: 0)
        let auction = try await market.createAuction(nft: nft, seller: seller, startPrice: 1_000_000_000, minStep: 100_000_000,
                                                     duration: .seconds(3_600))
        try await market.bid(auction: auction, bidder: bidders[0], amount: 1_000_000_000)
        try await market.bid(auction: auction, bidder: bidders[1], amount: 1_250_000_000)

        let consoleEnvironment = ["DATABASE_URL": database, "REDIS_URL": baseRedis, "TERM": "xterm-256color", "LANG": "C.UTF-8",
                                  "REDIS_NAMESPACE": "e2e:\(tag):"]
        let traffic = try Self.start(binary, ["simulate", "--clients", "4", "--duration", "60", "--users", "200"], environment: consoleEnvironment)
        defer { ChildProcessRunner.stop(traffic) }
        let tmux = try TmuxSession(command: [binary, "--refresh", "0.5", "--log-file", "/tmp/market-console-e2e-\(tag).log"],
                                   environment: consoleEnvironment, width: 160, height: 45)

        // The overview comes up and fills with the simulator's traffic.
        try await tmux.waitFor("Auctions ending soonest")
        try await tmux.waitUntil("UoW rates from the simulator") { $0.contains("auction.bid") }

        // :auctions, then a filter for the probe: its row shows what the database holds.
        try await tmux.type(":auc")
        try await tmux.waitFor(":auc█  auctions")
        try await tmux.send("Tab", "Enter")
        try await tmux.waitFor("Live auctions")
        try await tmux.type("/Probe Orchid")
        try await tmux.waitFor("filter 'Probe Orchid'")
        // The simulator bids on the probe too, so the screen is checked against the bids table: the
        // bid and bidder shown must be a real bid, and the count shown the bids up to it.
        let screen = try await tmux.waitFor("Probe Orchid #7")
        let line = try #require(screen.split(separator: "\n").first { $0.contains("Probe Orchid #7") })
        let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // ID, gift (3 words), seller, amount, "TON", bidder, bids, time left
        #expect(fields[0] == String(auction))
        #expect(fields[4] == "probe-seller")
        let shownBid = try #require(Self.nanoTON(fields[5]), "a bid amount in \(line)")
        // A name wider than its column ends in "…": match what is shown.
        let shownBidder = fields[7].hasSuffix("…") ? String(fields[7].dropLast()) : fields[7]
        let shownCount = try #require(Int(fields[8]))
        let matching = try await services.pool.query("""
            SELECT count(*) FILTER (WHERE b.amount <= \(shownBid)),
                   count(*) FILTER (WHERE b.amount = \(shownBid) AND starts_with(u.name, \(shownBidder)))
            FROM bids b JOIN users u ON u.id = b.bidder_id WHERE b.auction_id = \(auction)
            """).rows[0]
        #expect(try matching.decode(Int.self, at: 0) == shownCount, "bids up to \(fields[5]) TON, as on: \(line)")
        #expect(try matching.decode(Int.self, at: 1) == 1, "\(shownBidder) bid \(fields[5]) TON, as on: \(line)")

        // Enter opens the detail with the bid history, newest first, every line a bid in the table.
        try await tmux.send("Enter")  // ends the filter input
        try await tmux.send("Enter")  // opens the selected row
        func bidHistory(_ screen: String) -> [[String]] {
            let lines = screen.split(separator: "\n")
            guard let start = lines.firstIndex(where: { $0.contains("Bid history (newest first)") }) else { return [] }
            return lines[(start + 2)...].map { $0.split(separator: " ").map(String.init) }.filter { $0.count == 5 && $0[3] == "TON" }
        }
        let detail = try await tmux.waitUntil("the bid history") { bidHistory($0).count >= 2 }
        #expect(detail.contains("Auction \(auction) · Probe Orchid #7"))
        let history = bidHistory(detail)
        let amounts = history.compactMap { Self.nanoTON($0[2]) }
        #expect(amounts == amounts.sorted(by: >), "newest (highest) first")
        #expect(Array(history.suffix(2).map { $0[1] }) == ["probe-bidder-b", "probe-bidder-a"])
        for entry in history {
            let found = try await services.pool.query("""
                SELECT count(*) FROM bids b JOIN users u ON u.id = b.bidder_id
                WHERE b.auction_id = \(auction) AND b.id = \(Int64(entry[0]) ?? -1) AND u.name = \(entry[1])
                  AND b.amount = \(Self.nanoTON(entry[2]) ?? -1)
                """).rows[0].decode(Int.self, at: 0)
            #expect(found == 1, "bid \(entry) is in the bids table")
        }

        // Esc back, the locks view, the help, then quit with the terminal handed back.
        try await tmux.send("Escape")
        try await tmux.waitFor("Live auctions")
        try await tmux.type(":locks")
        try await tmux.send("Enter")
        try await tmux.waitFor("PostgreSQL lock waits (blocker → blocked)")
        try await tmux.type("?")
        try await tmux.waitFor("Esc or ? closes")
        try await tmux.send("Escape")
        try await tmux.type("q")
        try await tmux.waitFor("EXIT=0")
    }

    /// "1.25" (TON as the screen shows it) in nanoTON.
    static func nanoTON(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let whole = Int64(parts[0]) else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]).padding(toLength: 9, withPad: "0", startingAt: 0) : "0"
        return Int64(fraction).map { whole * 1_000_000_000 + $0 }
    }

    /// The `market-console` executable built beside this test bundle.
    static func consoleBinary() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("market-console").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/market-console").path
        guard FileManager.default.isExecutableFile(atPath: fallback) else {
            throw TmuxSession.Failure(description: "market-console is not built: run `swift build` before the tests")
        }
        return fallback
    }

    static func user(_ name: String, in services: MarketServices) async throws -> Int64 {
        try await services.pool.query("INSERT INTO users (name) VALUES (\(name)) RETURNING id").rows[0].decode(Int64.self, at: 0)
    }

    static func start(_ binary: String, _ arguments: [String], environment: [String: String]) throws -> pid_t {
        try ChildProcessRunner.launch(binary, arguments, environment: environment)
    }
}
