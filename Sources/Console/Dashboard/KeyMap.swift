import Views

/// What a key does in the dashboard. Keys map to commands in one table, ``KeyMap``, which also
/// writes the help overlay and the key-hint line, so neither can drift from the keys.
enum DashboardCommand: Hashable, Sendable {
    case moveDown, moveUp, pageDown, pageUp, top, bottom
    case open, back, quit
    case commandLine, filter, help
    case nextView, previousView, nextPane
    /// Sort the focused table by its n-th column (1-based); again reverses it.
    case sortByColumn(Int)
    case reverseSort
    case togglePause, refreshFaster, refreshSlower, redraw
    /// An operator action on the selected row (see ``ActionKey``).
    case action(ActionKey)
    /// Show or hide what the console ran on the operator's behalf.
    case toggleCommandLog

    /// What the help overlay says about the command.
    var summary: String {
        switch self {
        case .moveDown: "move down"
        case .moveUp: "move up"
        case .pageDown: "next page"
        case .pageUp: "previous page"
        case .top: "first row"
        case .bottom: "last row of the page"
        case .open: "open the selected row"
        case .back: "back: close detail, help, input or filter"
        case .quit: "quit"
        case .commandLine: "command line (:auctions, :locks, … Tab completes)"
        case .filter: "filter the focused table"
        case .help: "this help"
        case .nextView: "next view"
        case .previousView: "previous view"
        case .nextPane: "focus the next pane"
        case .sortByColumn: "sort by column 1–9 (again: reverse)"
        case .reverseSort: "reverse the sort"
        case .togglePause: "pause / resume refresh"
        case .refreshFaster: "refresh more often"
        case .refreshSlower: "refresh less often"
        case .redraw: "redraw the screen"
        case .action(.cancel): "cancel auction/transfer, reject proposal, fail withdrawal, release lock"
        case .action(.force): "force-complete transfer, resolve withdrawal as sent (admin)"
        case .action(.retry): "retry a pending channel transfer now (admin)"
        case .action(.approve): "approve an action waiting for a second operator"
        case .toggleCommandLog: "show / hide the command log (what this console ran)"
        }
    }
}

/// The key bindings: key → command, in the order the help lists them.
struct KeyMap: Sendable {
    /// Key → command pairs, in the order the help lists them (the configuration file can rebind them).
    var bindings: [(key: Key, command: DashboardCommand)]

    static let standard = KeyMap(bindings: [
        (.character("j"), .moveDown), (.down, .moveDown),
        (.character("k"), .moveUp), (.up, .moveUp),
        (.pageDown, .pageDown), (.control("f"), .pageDown),
        (.pageUp, .pageUp), (.control("b"), .pageUp),
        (.character("g"), .top), (.home, .top),
        (.character("G"), .bottom), (.end, .bottom),
        (.enter, .open), (.escape, .back),
        (.character(":"), .commandLine), (.character("/"), .filter), (.character("?"), .help),
        (.character("l"), .nextView), (.right, .nextView),
        (.character("h"), .previousView), (.left, .previousView),
        (.tab, .nextPane),
    ] + (1...9).map { (Key.character(Character("\($0)")), DashboardCommand.sortByColumn($0)) } + [
        (.character("r"), .reverseSort),
        (.character(" "), .togglePause), (.character("+"), .refreshFaster), (.character("-"), .refreshSlower),
        (.control("l"), .redraw),
        (.character("x"), .action(.cancel)), (.character("F"), .action(.force)), (.character("R"), .action(.retry)),
        (.character("A"), .action(.approve)), (.character("L"), .toggleCommandLog),
        (.character("q"), .quit),
    ])

    func command(for key: Key) -> DashboardCommand? {
        bindings.first { $0.key == key }?.command
    }

    /// Every command with all its keys, for the help overlay.
    var help: [HelpOverlay.Entry] {
        var order: [DashboardCommand] = []
        var keys: [DashboardCommand: [String]] = [:]
        for (key, command) in bindings {
            let grouped = Self.grouped(command)
            if keys[grouped] == nil { order.append(grouped) }
            keys[grouped, default: []].append(grouped == .sortByColumn(1) ? "1-9" : Self.name(key))
        }
        return order.map { command in
            var names: [String] = []
            for name in keys[command] ?? [] where !names.contains(name) { names.append(name) }
            return HelpOverlay.Entry(keys: names.joined(separator: " "), description: command.summary)
        }
    }

    /// The bottom line: the first key of the commands an operator needs most.
    var hints: [KeyHint] {
        let shown: [(DashboardCommand, String)] = [
            (.help, "help"), (.quit, "quit"), (.commandLine, "views"), (.filter, "filter"), (.open, "open"),
            (.sortByColumn(1), "sort"), (.back, "back"), (.togglePause, "pause"),
        ]
        return shown.compactMap { command, label in
            guard let key = bindings.first(where: { $0.command == command })?.key else { return nil }
            return KeyHint(key: command == .sortByColumn(1) ? "1-9" : Self.name(key), label: label)
        }
    }

    /// Column sorts share one help line.
    private static func grouped(_ command: DashboardCommand) -> DashboardCommand {
        if case .sortByColumn = command { return .sortByColumn(1) }
        return command
    }

    /// How a key is written in help and hints.
    static func name(_ key: Key) -> String {
        switch key {
        case .character(" "): "Space"
        case .character(let character): String(character)
        case .control(let letter): "^" + letter.uppercased()
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .tab: "Tab"
        case .backTab: "S-Tab"
        case .backspace: "Bksp"
        case .delete: "Del"
        case .escape: "Esc"
        case .resize: "resize"
        case .other(let code): "key \(code)"
        }
    }
}
