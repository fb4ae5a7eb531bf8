import Foundation
import Testing
@testable import MarketCore

/// Quit and start again: the console opens where the operator left it, sorted as they sorted it.
@Suite("Remembered session, end to end")
struct SessionMemoryEndToEndTests {
    @Test func theNextRunOpensOnTheLastViewWithItsSort() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let base = environment["DATABASE_URL"], let redis = environment["REDIS_URL"] else {
            Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
            return
        }
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let database = try await ConsoleEndToEndTests.createDatabase(named: "session_\(tag)", from: base)
        let stateHome = NSTemporaryDirectory() + "mc-session-e2e-\(tag)"
        defer { try? FileManager.default.removeItem(atPath: stateHome) }
        func console() throws -> TmuxSession {
            try TmuxSession(command: [try ConsoleEndToEndTests.consoleBinary(), "--refresh", "0.5",
                                      "--log-file", "/tmp/market-console-session-\(tag).log"],
                            environment: ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": "session:\(tag):",
                                          "TERM": "xterm-256color", "LANG": "C.UTF-8", "XDG_CONFIG_HOME": "/nonexistent",
                                          "XDG_STATE_HOME": stateHome])
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
