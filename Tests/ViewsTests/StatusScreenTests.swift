import Testing
@testable import Views

@Suite("Status screen rendering")
struct StatusScreenTests {
    static let state: StatusState = {
        var state = StatusState()
        state.embedded = true
        state.servers = [
            .init(name: "PostgreSQL", location: "postgresql://market@127.0.0.1:5433/market", healthy: true, detail: "v15.18 · pool 1/4 busy"),
            .init(name: "Redis", location: "redis://127.0.0.1:6380/0", healthy: false, detail: "unreachable"),
        ]
        state.schemaVersion = 2
        state.latestSchemaVersion = 2
        state.lockMode = "advisory fallback"
        state.heldLocks = 3
        state.reportingProcesses = ["a:1", "b:2"]
        state.rates = [
            .init(operation: "auction.bid", commitsPerSecond: 120.5, rollbacksPerSecond: 3.25, p50Milliseconds: 1.2, p99Milliseconds: 9.8),
            .init(operation: "nft.buy", commitsPerSecond: 0.5, rollbacksPerSecond: 2, p50Milliseconds: nil, p99Milliseconds: nil),
        ]
        state.dataAge = 0.4
        state.problem = "Redis: cannot connect to Redis at 127.0.0.1:6380: Connection refused"
        return state
    }()

    @Test func rendersEverySectionAt80x24() {
        let screen = StatusScreen.render(Self.state, width: 80, height: 24)
        let expected = [
            " market-console — status                                          data 0.4s old",
            "",
            " SERVERS (embedded)",
            "  ● PostgreSQL  postgresql://market@127.0.0.1:5433/market  v15.18 · pool 1/4 bus",
            "  ✖ Redis       redis://127.0.0.1:6380/0  unreachable",
            "",
            "  schema    version 2 of 2",
            "  locks     advisory fallback · 3 held · 2 process(es) reporting",
            "",
            " UNIT OF WORK — last 60s",
            "  operation                 commit/s  rollback/s   p50 ms   p99 ms",
            "  auction.bid                  120.5         3.2      1.2      9.8",
            "  nft.buy                        0.5         2.0        –        –",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            " Redis: cannot connect to Redis at 127.0.0.1:6380: Connection refused",
            " q quit",
        ].joined(separator: "\n")
        #expect(screen.text == expected)
        #expect(screen[2, 3].role == .good)
        #expect(screen[2, 4].role == .critical)
        #expect(screen[12, 7].role == .critical)
        #expect(screen[2, 12].role == .warning)
    }

    @Test func aTerminalTooSmallAsksToBeEnlarged() {
        let screen = StatusScreen.render(Self.state, width: 40, height: 10)
        #expect(screen.lines[5] == "            enlarge to 60×14")
        #expect(screen.lines.enumerated().allSatisfy { $0.offset == 5 || $0.element.isEmpty })
    }

    @Test func textPastTheRightEdgeIsCut() {
        var buffer = ScreenBuffer(width: 5, height: 1)
        let end = buffer.write("abcdefgh", column: 2, row: 0)
        #expect(buffer.lines == ["  abc"])
        #expect(end == 5)
    }
}
