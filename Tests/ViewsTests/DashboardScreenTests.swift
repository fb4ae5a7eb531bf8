import Foundation
import Testing
@testable import Views

@Suite("Dashboard screen layout")
struct DashboardScreenTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func state() -> DashboardState {
        let table = Table(columns: [TableColumn("ID", width: 4), TableColumn("Key", width: 10, flexible: true)],
                          rows: [TableRow(id: "1", cells: [.number("1"), .text("auction:bid:1")])], selectedIndex: 0)
        return DashboardState(now: now, tabs: ["Overview", "Locks"], activeTab: 1, identity: "operator ann",
                              status: [StatusItem("● PostgreSQL", role: .good), StatusItem("● Redis DOWN", role: .critical)],
                              panes: [Pane(title: "Held locks", summary: "1 held", table: table, focused: true),
                                      Pane(title: "Waits", table: Table(columns: [TableColumn("PID", width: 6)], emptyMessage: "none"))],
                              keyHints: [KeyHint(key: "?", label: "help"), KeyHint(key: "q", label: "quit")])
    }

    @Test func aTerminalBelowTheMinimumAsksToBeEnlarged() {
        let screen = DashboardScreen.render(Self.state(), width: 50, height: 12)
        #expect(screen.lines.contains { $0.contains("terminal 50×12 is too small") })
        #expect(screen.lines.contains { $0.contains("enlarge to 60×16") })
    }

    @Test func titleStatusPanesAndHintsTakeTheirRows() {
        let screen = DashboardScreen.render(Self.state(), width: 60, height: 16)
        #expect(screen.lines == [
            " market-console  Overview [Locks]",
            " ● PostgreSQL  ● Redis DOWN                    operator ann",
            "─ Held locks ────────────────────────────────────── 1 held ─",
            "   ID Key",
            "    1 auction:bid:1",
            "",
            "",
            "",
            "─ Waits ────────────────────────────────────────────────────",
            " PID",
            "  none",
            "",
            "",
            "",
            "",
            " ? help  q quit",
        ])
        #expect(screen[1, 4].role == .selected)
        #expect(screen[16, 1].role == .critical)
        #expect(screen[1, 1].role == .good)
    }

    @Test func theHelpOverlayListsEveryEntryInAFrame() {
        var state = Self.state()
        state.help = HelpOverlay(title: "Keys", entries: [.init(keys: "j ↓", description: "move down"),
                                                          .init(keys: "q", description: "quit")])
        let lines = DashboardScreen.render(state, width: 60, height: 16).lines
        #expect(lines.contains { $0.contains("│ j ↓  move down") })
        #expect(lines.contains { $0.contains("│ q    quit") })
        #expect(lines.contains { $0.contains("Esc or ? closes") })
    }

    /// A dialog taller than the terminal hides lines from its middle, never its reason field and buttons.
    @Test func aTallDialogKeepsItsFieldsAndButtonsOnScreen() {
        var state = Self.state()
        state.dialog = Dialog(title: "Confirm", lines: (1...30).map { "line \($0)" },
                              fields: [.init(label: "Reason", text: "", focused: false, placeholder: "why")],
                              buttons: [.init(label: "Cancel", focused: true, role: .normal), .init(label: "Confirm", focused: false, role: .critical)],
                              footer: "Esc cancels")
        let lines = DashboardScreen.render(state, width: 60, height: 16).lines
        #expect(lines.contains { $0.contains("line 1 ") })
        #expect(lines.contains { $0.contains("line 30") })
        #expect(lines.contains { $0.contains("… 22 lines hidden: enlarge the terminal to read them") })
        #expect(lines.contains { $0.contains("Reason") })
        #expect(lines.contains { $0.contains("[ Cancel ]") && $0.contains("Confirm") })
        #expect(lines.contains { $0.contains("Esc cancels") })
        #expect(DialogRenderer.fitted(["a", "b"], rows: 5) == ["a", "b"])
        #expect(DialogRenderer.fitted(["a", "b", "c", "d"], rows: 3) == ["a", "… 2 lines hidden: enlarge the terminal to read them", "d"])
    }

    @Test func theCommandLineShowsWhatIsTypedAndItsCompletions() {
        var state = Self.state()
        state.input = InputLine(prompt: ":", text: "au", completions: ["auctions", "audit"])
        let lines = DashboardScreen.render(state, width: 60, height: 16).lines
        #expect(lines[14] == ":au█  auctions  audit")
    }

    @Test func paneHeightsFollowWeightsAndCaps() {
        let table = Table(columns: [])
        let panes = [Pane(title: "a", table: table, weight: 1), Pane(title: "b", table: table, weight: 3),
                     Pane(title: "c", table: table, maximumRows: 2)]
        #expect(PaneLayout.bodyHeights(panes, available: 14) == [3, 9, 2])
    }
}
