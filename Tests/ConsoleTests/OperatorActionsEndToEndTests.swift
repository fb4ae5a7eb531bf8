import Foundation
import Testing
@testable import MarketCore

/// Operator actions typed into the real console in tmux, checked in the database: a viewer is
/// refused, a moderator needs `:write` and then cancels an auction (refund, audit), and a
/// force-complete waits for a second admin and then runs exactly once.
@Suite("Operator actions end to end", .serialized)
struct OperatorActionsEndToEndTests {
    @Test func aViewerIsRefusedAndAModeratorCancelsAnAuctionOnlyInWriteMode() async throws {
        try await FreshMarket.with("ops", gateways: Self.gateways(unknownOutcomes: false)) { setup in
            let market = setup.market
            let mia = "mia_\(setup.tag)", vic = "vic_\(setup.tag)"
            try await OperatorLogins.create(mia, role: .moderator, in: setup.services)
            try await OperatorLogins.create(vic, role: nil, in: setup.services)
            let seller = try await setup.user("probe-seller")
            let bidder = try await setup.user("probe-bidder")
            try await market.deposit(user: bidder, amount: 5_000_000_000, reference: "e2e")
            let nft = try await setup.services.pool.query("INSERT INTO nfts (gift, serial, owner_id) VALUES ('Probe Lily', 3, \(seller)) RETURNING id")
                .rows[0].decode(Int64.self, at: 0)
            let auction = try await market.createAuction(nft: nft, seller: seller, startPrice: 2_000_000_000, minStep: 1, duration: .seconds(3600))
            try await market.bid(auction: auction, bidder: bidder, amount: 2_000_000_000)

            // A viewer (a login in no market group) is refused by the key, with a message.
            let viewer = try setup.console(as: vic, logName: vic)
            try await openProbe(viewer, filter: "Probe Lily")
            try await viewer.type("x")
            try await viewer.waitFor("refused: \(vic) (viewer) may not cancel-auction: admin or moderator only")
            try await viewer.type("q")
            try await viewer.waitFor("EXIT=0")

            // The moderator without :write cannot; with :write 1m can.
            let moderator = try setup.console(as: mia, logName: mia)
            try await openProbe(moderator, filter: "Probe Lily")
            try await moderator.type("x")
            try await moderator.waitFor("read-only: :write 10m enables actions for 10 minutes")
            try await moderator.type(":write 1m")
            try await moderator.send("Enter")
            try await moderator.waitFor("\(mia) · moderator · WRITE")

            // While another session holds the top bidder's row, the dialog names that session.
            try await setup.services.pool.withConnection { holder in
                let holderPID = try await holder.query("SELECT pg_backend_pid()").rows[0].decode(Int32.self, at: 0)
                _ = try await holder.simpleQuery("SET application_name = 'support-console'; BEGIN")
                _ = try await holder.query("SELECT 1 FROM users WHERE id = \(bidder) FOR UPDATE")
                try await moderator.type("x")
                try await moderator.waitFor("users \(bidder): the top bidder (FOR NO KEY UPDATE)")
                try await moderator.waitFor("Now: users \(bidder) (the top bidder) is held by pid \(holderPID)")
                try await Task.sleep(for: .milliseconds(500))  // the dialog drops keys in its first 0.4 s
                try await moderator.send("Escape")
                try await moderator.waitFor("cancelled: nothing ran")
                _ = try await holder.simpleQuery("ROLLBACK")
            }

            try await moderator.type("x")
            try await moderator.waitFor("Confirm cancel-auction · auction:\(auction)")
            try await moderator.waitFor("Now: lock auction:bid:\(auction) is free")
            try await moderator.waitFor("Now: every row can be locked")
            try await Task.sleep(for: .milliseconds(500))
            try await moderator.type("seller reported a stolen gift")
            try await moderator.send("Enter")  // Enter in the reason goes to Cancel…
            try await moderator.send("Tab")    // …Tab reaches Confirm…
            try await confirmFocused(moderator)
            try await moderator.send("Enter")  // …and Enter there confirms.
            try await moderator.waitFor("done: auction \(auction) cancelled")
            try await moderator.waitFor("no rows match 'Probe Lily'")
            let row = try await setup.services.pool.query("""
                SELECT a.state, a.cancelled_by, u.balance, u.held FROM auctions a, users u WHERE a.id = \(auction) AND u.id = \(bidder)
                """).rows[0]
            #expect(try row.decode(String.self, at: 0) == "cancelled")
            #expect(try row.decode(String?.self, at: 1) == mia)
            #expect(try row.decode(Int64.self, at: 2) == 5_000_000_000, "the top bid went back to the bidder")
            #expect(try row.decode(Int64.self, at: 3) == 0)
            try await moderator.send("Escape")
            try await moderator.type(":audit")
            try await moderator.send("Enter")
            let audit = try await moderator.waitFor("cancel-auction")
            let line = try #require(audit.split(separator: "\n").first { $0.contains("cancel-auction") })
            #expect(line.contains(mia) && line.contains("moderator") && line.contains("auction:\(auction)") && line.contains("done"))
            try await moderator.type("q")
            try await moderator.waitFor("EXIT=0")
        }
    }

    @Test func aForceCompleteWaitsForASecondAdminAndRunsOnce() async throws {
        try await FreshMarket.with("ops", gateways: Self.gateways(unknownOutcomes: true)) { setup in
            let market = setup.market
            let adaLogin = "ada_\(setup.tag)", boLogin = "bo_\(setup.tag)"
            try await OperatorLogins.create(adaLogin, role: .admin, in: setup.services)
            try await OperatorLogins.create(boLogin, role: .admin, in: setup.services)
            let seller = try await setup.user("probe-seller")
            let buyer = try await setup.user("probe-buyer")
            try await market.deposit(user: buyer, amount: 9_000_000_000, reference: "e2e")
            let channel = try await market.listChannel(owner: seller, telegramChannel: 777_001, title: "Probe Channel", price: 4_000_000_000)
            guard case .pending(let transfer) = try await market.buyChannel(channel, buyer: buyer) else {
                Issue.record("the transfer should stay pending with every gateway outcome unknown")
                return
            }

            // ada asks: the console records a request, nothing moves yet.
            let ada = try setup.console(as: adaLogin, logName: adaLogin)
            try await openProbe(ada, view: ":transfers", filter: "Probe Channel")
            try await ada.type(":write 1m")
            try await ada.send("Enter")
            try await ada.type("F")
            try await ada.waitFor("Confirm force-complete-transfer · transfer:\(transfer)")
            try await ada.waitFor("Now: lock")  // the core's plan, probed, is on screen
            try await Task.sleep(for: .milliseconds(500))
            try await ada.type("buyer confirmed the channel")
            try await ada.send("Tab")           // to the id field
            try await ada.type(String(transfer))
            try await ada.send("Tab")           // Cancel
            try await ada.send("Tab")           // Confirm
            try await confirmFocused(ada)
            try await ada.send("Enter")
            let asked = try await ada.waitFor("waits for a second operator: approval")
            let afterWord = try #require(asked.range(of: "second operator: approval ")?.upperBound, "\(asked)")
            let approval = try #require(Int64(String(asked[afterWord...].prefix { $0.isNumber })), "\(asked)")
            #expect(try await state(of: transfer, in: setup) == "pending")
            try await ada.type("q")
            try await ada.waitFor("EXIT=0")

            // bo approves from his console: the core runs it, once.
            let bo = try setup.console(as: boLogin, logName: boLogin)
            try await bo.type(":approvals")
            try await bo.send("Enter")
            try await bo.waitFor("force-complete-transfer")
            try await bo.type(":write 1m")
            try await bo.send("Enter")
            try await bo.type("A")
            try await bo.waitFor("Confirm approve · approval:\(approval)")
            try await bo.waitFor("Now: lock")  // the core's plan, probed, is on screen
            try await Task.sleep(for: .milliseconds(500))
            try await bo.type("checked with the buyer")
            try await bo.send("Enter", "Tab")
            try await confirmFocused(bo)
            try await bo.send("Enter")
            try await bo.waitFor("done: approval \(approval) approved")
            #expect(try await state(of: transfer, in: setup) == "completed")
            let sales = try await setup.services.pool.query("""
                SELECT count(*) FROM ledger WHERE account_id = \(seller) AND kind = 'sale'
                """).rows[0].decode(Int.self, at: 0)
            #expect(sales == 1, "the seller is paid exactly once")
            try await bo.type("q")
            try await bo.waitFor("EXIT=0")
        }
    }

    // MARK: Support

    private func state(of transfer: Int64, in setup: FreshMarket) async throws -> String {
        try await setup.services.pool.query("SELECT state FROM channel_transfers WHERE id = \(transfer)").rows[0].decode(String.self, at: 0)
    }

    /// Waits until Confirm has the focus, then past the dialog's settle time, so the next Enter counts.
    private func confirmFocused(_ tmux: TmuxSession) async throws {
        try await tmux.waitFor("[ Confirm ]")
        try await Task.sleep(for: .milliseconds(600))
    }

    /// Opens `view` and filters it down to the probe row.
    private func openProbe(_ tmux: TmuxSession, view: String = ":auctions", filter: String) async throws {
        try await tmux.waitFor("Overview")
        try await tmux.type(view)
        try await tmux.send("Enter")
        try await tmux.type("/" + filter)
        try await tmux.send("Enter")
        // The filter applied (the pane's title says so) and its row shown: not the header, and not
        // the "/…" prompt, which shows the filter's text too until Enter is processed.
        try await tmux.waitUntil("the probe row") { screen in
            let lines = screen.split(separator: "\n")
            return lines.contains { $0.contains("filter '\(filter)'") && !$0.contains("reading…") }
                && lines.contains { $0.contains(filter) && !$0.contains("filter '") && !$0.contains("/\(filter)") }
        }
    }

    /// Simulated gateways that do not retry; with `unknownOutcomes` they never learn how a transfer
    /// ended, so it stays pending.
    static func gateways(unknownOutcomes: Bool) -> Gateways {
        let simulated = SimulatedGateways(behaviour: .init(unknownRate: unknownOutcomes ? 1 : 0))
        return Gateways(telegram: simulated, ton: simulated,
                        retry: RetryPolicy(maxAttempts: 1, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1)))
    }
}
