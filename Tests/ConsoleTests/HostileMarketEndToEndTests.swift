import Foundation
@testable import MarketCore
@testable import MarketEmbedded
@testable import MarketSimulation
import Testing
import Views

/// The issue's acceptance run: CJK, emoji, combining-mark, escape-sequence, bidi-override,
/// newline and formula names planted in `users.name` and `nfts.gift`, then the real binary — the
/// auctions view in a 160×50 tmux, and `snapshot` as table, CSV and JSON.
@Suite("Hostile market end to end", .serialized)
struct HostileMarketEndToEndTests {
    /// Gift names; "旧" marks the names the second half of the test replaces.
    static let gifts = [
        "用户名字很长的名字🎁旧", "Plush \u{1B}[2J Pepe", "OSC \u{1B}]52;c;ZXZpbA==\u{07} Cap", "evil\u{202E}gpj.exe",
        "line\nbreak\tand tab", "=HYPERLINK(\"http://evil\",\"x\")", "@SUM(1+1)", "cafe\u{301} crème", "👨‍👩‍👧 family 旧",
        "🇯🇵 flag", "Ж narrow old Ж", "ЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖЖ",
    ]
    static let sellers = ["用户名字", "\u{1B}[31mred\u{1B}[0m", "\u{2066}iso\u{2069}", "-2+3", "e\u{301}mile", "\u{9B}6n"]

    @Test func namesStayInTheirColumnsOnScreenAndInEverySnapshotFormat() async throws {
        let binary = try ConsoleEndToEndTests.consoleBinary()
        try await ConsoleEndToEndTests.withFreshMarket("hostile") { services, database, redis, tag in
            try await drive(binary, services: services, database: database, redis: redis, tag: tag)
        }
    }

    private func drive(_ binary: String, services: MarketServices, database: String, redis: String, tag: String) async throws {
        let market = Market(services: services, gateways: MarketSimulator.gateways(for: SimulationConfiguration()))
        var sellers: [Int64] = []
        for name in Self.sellers { sellers.append(try await ConsoleEndToEndTests.user(name, in: services)) }
        let bidder = try await ConsoleEndToEndTests.user("用户\u{1B}[2J🎁", in: services)
        try await market.deposit(user: bidder, amount: 100_000_000_000, reference: "hostile")
        for (index, gift) in Self.gifts.enumerated() {
            let seller = sellers[index % sellers.count]
            let nft = try await services.pool.query("INSERT INTO nfts (gift, serial, owner_id) VALUES (\(gift), \(index), \(seller)) RETURNING id")
                .rows[0].decode(Int64.self, at: 0)
            let auction = try await market.createAuction(nft: nft, seller: seller, startPrice: 1_000_000_000, minStep: 1,
                                                         duration: .seconds(3_600 + index * 60))
            if index % 2 == 0 { try await market.bid(auction: auction, bidder: bidder, amount: 1_500_000_000) }
        }
        let consoleEnvironment = ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": "hostile:\(tag):",
                                  "TERM": "xterm-256color", "LANG": "C.UTF-8"]

        try checkSnapshots(binary, environment: consoleEnvironment)

        let tmux = try TmuxSession(command: [binary, "--view", "auctions", "--refresh", "0.5", "--no-traffic",
                                             "--log-file", "/tmp/market-console-hostile-\(tag).log"],
                                   environment: consoleEnvironment, width: 160, height: 50)
        let first = try await tmux.waitUntil("every hostile auction on screen") { $0.contains("crème") && $0.contains("ЖЖЖЖ") }
        Self.expectAligned(first, rows: Self.gifts.count)
        #expect(first.contains("\\e[2J"), "the escape sequence shows as text")

        // Narrow names become wide and wide ones narrow: nothing of the earlier frame may stay.
        _ = try await services.pool.query("""
            UPDATE nfts SET gift = CASE WHEN gift LIKE '%Ж%' THEN '全角の名前全角の名前全角の名前' ELSE 'plain ' || serial END
            WHERE gift LIKE '%Ж%' OR gift LIKE '%旧%'
            """)
        let second = try await tmux.waitUntil("the renamed gifts on screen") { !$0.contains("Ж") && $0.contains("全角の名前") }
        #expect(!second.contains("旧"), "a wide name that was replaced left cells behind:\n\(second)")
        Self.expectAligned(second, rows: Self.gifts.count)
        try await tmux.type("q")
        try await tmux.waitFor("EXIT=0")
    }

    /// Every auction row ends at the header's right edge; no `^[` anywhere.
    static func expectAligned(_ screen: String, rows: Int) {
        #expect(!screen.contains("^["), "a raw escape reached the terminal:\n\(screen)")
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let header = lines.firstIndex(where: { $0.contains("Time left") }) else {
            Issue.record("no auctions header on:\n\(screen)")
            return
        }
        let edge = trimmed(lines[header]).displayWidth
        let body = lines[(header + 1)...].prefix(rows)
        #expect(body.count == rows)
        for line in body {
            #expect(trimmed(line).displayWidth == edge, "row ends at \(trimmed(line).displayWidth), header at \(edge):\n\(screen)")
        }
    }

    static func trimmed(_ line: String) -> String {
        var line = line
        while line.last == " " { line.removeLast() }
        return line
    }

    func checkSnapshots(_ binary: String, environment: [String: String]) throws {
        func run(_ output: String) -> String {
            let result = ChildProcessRunner.run(binary, ["snapshot", "--view", "auctions", "--output", output], environment: environment)
            #expect(result.status == 0, "\(result.output)")
            return result.output
        }
        let table = run("table")
        let controls = table.unicodeScalars.filter { $0 != "\n" && TerminalText.needsEscape($0) }
        #expect(controls.isEmpty, "control or bidi characters in the table: \(controls.map { String($0.value, radix: 16) })")
        #expect(table.contains("Plush \\e[2J Pepe"))

        let csv = run("csv")
        for gift in Self.gifts where gift.hasPrefix("=") || gift.hasPrefix("@") {
            #expect(csv.contains(",'" + gift.prefix(4)) || csv.contains(",\"'" + gift.prefix(4)), "\(gift) is not neutralised:\n\(csv)")
        }
        #expect(!csv.contains(",=") && !csv.contains(",@") && !csv.contains(",\"=") && !csv.contains(",\"@"))

        let json = run("json")
        let document = try #require(json.firstIndex(of: "{").map { String(json[$0...]) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: Any])
        let rows = try #require((object["panes"] as? [String: Any])?["auctions"] as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["gift"] as? String }) == Set(Self.gifts.enumerated().map { "\($1) #\($0)" }))
    }
}
