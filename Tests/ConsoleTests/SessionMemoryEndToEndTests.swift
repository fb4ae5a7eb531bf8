import Foundation
import Testing
@testable import MarketCore

/// Quit and start again: the console opens where the operator left it, sorted as they sorted it.
@Suite("Remembered session, end to end")
struct SessionMemoryEndToEndTests {
    @Test func theNextRunOpensOnTheLastViewWithItsSort() async throws {
        try await FreshMarket.with("session") { fresh in
            let stateHome = NSTemporaryDirectory() + "mc-session-e2e-\(fresh.tag)"
            defer { try? FileManager.default.removeItem(atPath: stateHome) }
            // Both runs share one state directory: that is where the console remembers the view.
            func console() throws -> TmuxSession {
                try fresh.console(logName: "session", overrides: ["XDG_STATE_HOME": stateHome])
            }

            let first = try console()
            try await first.waitFor("Auctions ending soonest")
            try await first.type(":audit")
            try await first.send("Enter")
            try await first.waitFor("Operator actions")
            try await first.type("2")  // Operator
            try await first.waitFor("Operator▲")
            try await first.type("q")
            try await first.waitFor("EXIT=0")

            let second = try console()
            let screen = try await second.waitFor("Operator▲")
            #expect(screen.contains("Operator actions"), "opens on the audit view:\n\(screen)")
            try await second.type("q")
            try await second.waitFor("EXIT=0")
        }
    }
}
