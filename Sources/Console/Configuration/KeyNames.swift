/// The names the configuration file uses for commands and keys.
extension DashboardCommand {
    /// Every command, in the help's order, for naming and listing.
    static let all: [DashboardCommand] = [
        .moveDown, .moveUp, .pageDown, .pageUp, .top, .bottom, .open, .back, .quit, .commandLine, .filter, .help,
        .nextView, .previousView, .nextPane,
    ] + (1...9).map { .sortByColumn($0) } + [
        .reverseSort, .togglePause, .refreshFaster, .refreshSlower, .redraw,
    ] + ActionKey.allCases.map { .action($0) } + [.toggleCommandLog]

    /// `move-down`, `sort-3`, `action-cancel`, …
    var configName: String {
        switch self {
        case .moveDown: "move-down"
        case .moveUp: "move-up"
        case .pageDown: "page-down"
        case .pageUp: "page-up"
        case .top: "top"
        case .bottom: "bottom"
        case .open: "open"
        case .back: "back"
        case .quit: "quit"
        case .commandLine: "command-line"
        case .filter: "filter"
        case .help: "help"
        case .nextView: "next-view"
        case .previousView: "previous-view"
        case .nextPane: "next-pane"
        case .sortByColumn(let column): "sort-\(column)"
        case .reverseSort: "reverse-sort"
        case .togglePause: "pause"
        case .refreshFaster: "refresh-faster"
        case .refreshSlower: "refresh-slower"
        case .redraw: "redraw"
        case .action(let key): "action-\(key.rawValue)"
        case .toggleCommandLog: "command-log"
        }
    }

    init?(configName: String) {
        guard let command = Self.all.first(where: { $0.configName == configName }) else { return nil }
        self = command
    }

    static var allConfigNames: [String] { all.map(\.configName) }
}

extension Key {
    /// Keys with names (the rest are single characters or `ctrl-LETTER`).
    static let named: [String: Key] = [
        "up": .up, "down": .down, "left": .left, "right": .right, "pgup": .pageUp, "pgdn": .pageDown,
        "home": .home, "end": .end, "enter": .enter, "tab": .tab, "s-tab": .backTab, "backspace": .backspace,
        "delete": .delete, "esc": .escape, "space": .character(" "),
    ]

    static var namedConfigKeys: [String] { named.keys.sorted() }

    /// `j`, `G`, `ctrl-f`, `pgdn`, `space`, …
    init?(configName: String) {
        if let key = Self.named[configName.lowercased()] {
            self = key
        } else if configName.lowercased().hasPrefix("ctrl-"), configName.count == 6, let letter = configName.last?.lowercased().first,
                  letter.isLetter {
            self = .control(letter)
        } else if configName.count == 1, let character = configName.first {
            self = .character(character)
        } else {
            return nil
        }
    }
}

extension KeyMap {
    /// Gives `command` exactly `keys`, dropping its previous ones.
    mutating func rebind(_ command: DashboardCommand, to keys: [Key]) {
        let firstIndex = bindings.firstIndex { $0.command == command } ?? bindings.endIndex
        bindings.removeAll { $0.command == command }
        bindings.insert(contentsOf: keys.map { ($0, command) }, at: min(firstIndex, bindings.endIndex))
    }

    /// A key bound to two commands, if any.
    var firstClash: (key: Key, first: DashboardCommand, second: DashboardCommand)? {
        var seen: [Key: DashboardCommand] = [:]
        for (key, command) in bindings {
            if let earlier = seen[key], earlier != command { return (key, earlier, command) }
            seen[key] = command
        }
        return nil
    }
}
