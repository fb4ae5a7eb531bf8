import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import Testing

/// The embedded default as its owner starts it: fresh servers, and the title bar names the
/// owner's own login as the market's admin — no command needed first.
@Suite("Embedded default end to end", .serialized)
struct EmbeddedConsoleEndToEndTests {
    @Test func theOwnerStartsTheEmbeddedDefaultAsItsAdmin() async throws {
        let state = "/tmp/mc-e2e-embedded-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let binary = try ConsoleEndToEndTests.consoleBinary()
        // No DATABASE_URL or REDIS_URL (the test servers' are in this process's environment).
        let tmux = try TmuxSession(command: ["/usr/bin/env", "-u", "DATABASE_URL", "-u", "REDIS_URL", binary, "--state-dir", state,
                                             "--refresh", "0.5", "--no-traffic", "--log-file", state + "-console.log"],
                                   environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"], width: 160, height: 45)
        let owner = EmbeddedServerAccount.currentUserName
        try await tmux.waitFor("\(owner) · admin · read-only", timeout: .seconds(120))
        try await tmux.type("q")
        try await tmux.waitFor("EXIT=0")
        // Quitting stopped the servers it started: nothing answers on the socket any more.
        #expect(!FileManager.default.fileExists(atPath: state + "/postgres/postmaster.pid"))
    }
}
