@testable import Console
import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import TestSupport
import Testing

/// The demo's main moderator flow, in the real console in tmux, on a market moving as the demo's
/// does (the simulator's traffic beside it): a moderator opens `:auctions`, selects a live auction
/// ending within minutes, and cancels it through the dialog — with the dialog's default timing.
@Suite("Moderator on the demo market", .serialized)
struct DemoModeratorEndToEndTests {
    @Test func aModeratorOpensALiveAuctionOnTheMovingMarketAndCancelsIt() async throws {
        try await HeavyTestGate.run {
            let binary = try ConsoleEndToEndTests.consoleBinary()
            try await ConsoleEndToEndTests.withFreshMarket("mod") { services, database, redis, tag in
                let environment = ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": "mod:\(tag):"]
                let traffic = try ConsoleEndToEndTests.start(binary, ["simulate", "--clients", "2", "--duration", "300", "--users", "2000"],
                                                             environment: environment)
                defer { ChildProcessRunner.stop(traffic) }
                let mia = "mia_\(tag)"
                try await OperatorLogins.create(mia, role: .moderator, in: services)

                let moderator = try TmuxSession(
                    command: [binary, "--refresh", "0.5", "--log-file", "/tmp/market-console-mod-\(tag).log"],
                    environment: ["DATABASE_URL": try OperatorLogins.url(database, as: mia), "REDIS_URL": redis,
                                  "REDIS_NAMESPACE": "mod:\(tag):", "TERM": "xterm-256color", "LANG": "C.UTF-8",
                                  "XDG_CONFIG_HOME": "/nonexistent"])
                try await moderator.waitFor("Overview")
                try await moderator.type(":write 10m")
                try await moderator.send("Enter")
                try await moderator.waitFor("\(mia) · moderator · WRITE")
                try await moderator.type(":auctions")
                try await moderator.send("Enter")
                // The market moves while the moderator works: a bid changes the auction (the dialog
                // says so, and the moderator confirms again), or its seller withdraws it (it leaves
                // the list, and the moderator picks another live auction).
                var outcome = ""
                var auction: Int64 = 0
                for pick in 0..<3 where !outcome.contains("done: auction \(auction) cancelled") {
                    if pick > 0 { try await moderator.send("Escape") }  // clears the last filter
                    let (picked, label) = try await Self.liveAuctionEndingInMinutes(services)
                    auction = picked
                    try await moderator.type("/" + label)
                    try await moderator.send("Enter")
                    guard try await Self.showsAlone(auction, label, on: moderator) else { continue }
                    for _ in 0..<3 {
                        try await moderator.type("x")
                        try await moderator.waitFor("Confirm cancel-auction · auction:\(auction)")
                        try await moderator.waitFor("Now: lock")  // the core's plan, probed, is on screen
                        // A person's pace against the dialog's default guard (ActionDraft.settleTime): it
                        // drops keys right after it opens and an Enter right after Confirm takes the focus.
                        try await Task.sleep(for: .seconds(ActionDraft.settleTime + 0.6))  // reads what will run
                        try await moderator.type("seller asked to withdraw the gift")
                        try await moderator.send("Enter")  // Enter in the reason goes to Cancel…
                        try await moderator.send("Tab")    // …Tab reaches Confirm…
                        try await moderator.waitFor("[ Confirm ]")
                        try await Task.sleep(for: .seconds(ActionDraft.settleTime + 0.2))
                        try await moderator.send("Enter")  // …and Enter there confirms.
                        outcome = try await moderator.waitUntil("the cancel's outcome") { screen in
                            screen.contains("done: auction \(auction) cancelled") || screen.contains("changed since you looked")
                        }
                        if outcome.contains("done: auction \(auction) cancelled") || outcome.contains("(now: cancelled") { break }
                    }
                }
                #expect(outcome.contains("done: auction \(auction) cancelled"), "\(outcome)")
                let row = try await services.pool.query("SELECT state, cancelled_by FROM auctions WHERE id = \(auction)").rows[0]
                #expect(try row.decode(String.self, at: 0) == "cancelled")
                #expect(try row.decode(String?.self, at: 1) == mia)
                try await moderator.type("q")
                try await moderator.waitFor("EXIT=0")
                let checked = await ChildProcessRunner.runOffThePool(binary, ["check"], environment: environment)
                #expect(checked.status == 0, "\(checked.output)")
                await OperatorLogins.drop([mia], in: services)
            }
        }
    }

    /// A live auction the traffic made ending within 2–10 minutes, whose label no other live one contains.
    private static func liveAuctionEndingInMinutes(_ services: MarketServices) async throws -> (id: Int64, label: String) {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let picked = try await services.pool.query("""
                SELECT a.id, n.gift || ' #' || n.serial FROM auctions a JOIN nfts n ON n.id = a.nft_id
                WHERE a.state = 'active' AND a.ends_at BETWEEN now() + interval '2 minutes' AND now() + interval '10 minutes'
                  AND NOT EXISTS (SELECT 1 FROM auctions b JOIN nfts m ON m.id = b.nft_id
                                  WHERE b.state = 'active' AND b.id <> a.id
                                    AND strpos(m.gift || ' #' || m.serial, n.gift || ' #' || n.serial) > 0)
                ORDER BY a.ends_at DESC LIMIT 1
                """).first {
                return (try picked.decode(Int64.self, at: 0), try picked.decode(String.self, at: 1))
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw TmuxSession.Failure(description: "the simulated market should have auctions ending within minutes")
    }

    /// Whether the filtered page itself comes to show the auction alone (not the page before it,
    /// still on screen under the new filter's title), so the cursor is on it; false when the auction
    /// left the live list first.
    private static func showsAlone(_ auction: Int64, _ label: String, on moderator: TmuxSession) async throws -> Bool {
        let screen = try await moderator.waitUntil("the live auction's row alone, or no row") { screen in
            let lines = screen.split(separator: "\n")
            let rows = lines.filter { line in
                let words = line.split(separator: " ")
                return words.count > 2 && Int64(words[0]) != nil
            }
            guard lines.contains(where: { $0.contains("filter '\(label)'") && !$0.contains("reading…") }) else { return false }
            return screen.contains("no rows match") || (rows.count == 1 && rows[0].split(separator: " ").first == "\(auction)")
        }
        return !screen.contains("no rows match")
    }
}
