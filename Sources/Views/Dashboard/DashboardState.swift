import Foundation

/// Everything one frame of the console shows. The console builds it from fetched data and its own
/// state; ``DashboardScreen`` renders it. Time comes in ``now``: rendering reads no clock.
public struct DashboardState: Sendable, Equatable {
    /// The instant the frame is drawn for (countdowns and ages are measured against it).
    public var now: Date
    /// The names of the views, in tab order, and which one is shown.
    public var tabs: [String]
    public var activeTab: Int
    /// Right side of the status bar: who is at the keyboard, with which role and write mode.
    public var identity: String
    /// The status bar's items, left to right (connection health, lock mode, refresh age …).
    public var status: [StatusItem]
    /// The stacked panes of the active view.
    public var panes: [Pane]
    /// A detail screen that replaces the panes while open (Enter on a row, Esc closes).
    public var detail: Detail?
    /// The `:` command line or `/` filter being typed.
    public var input: InputLine?
    /// A one-line message above the key hints (an error, a result).
    public var message: StatusItem?
    /// The help overlay, when `?` was pressed.
    public var help: HelpOverlay?
    /// A confirmation dialog, drawn over everything else.
    public var dialog: Dialog?
    /// The key-hint line at the bottom.
    public var keyHints: [KeyHint]
    public var boxes: BoxCharacters

    public init(now: Date, tabs: [String] = [], activeTab: Int = 0, identity: String = "", status: [StatusItem] = [],
                panes: [Pane] = [], detail: Detail? = nil, input: InputLine? = nil, message: StatusItem? = nil,
                help: HelpOverlay? = nil, dialog: Dialog? = nil, keyHints: [KeyHint] = [], boxes: BoxCharacters = .unicode) {
        self.now = now
        self.tabs = tabs
        self.activeTab = activeTab
        self.identity = identity
        self.status = status
        self.panes = panes
        self.detail = detail
        self.input = input
        self.message = message
        self.help = help
        self.dialog = dialog
        self.keyHints = keyHints
        self.boxes = boxes
    }
}

/// A piece of text with the role it is drawn in.
public struct StatusItem: Sendable, Equatable {
    public var text: String
    public var role: StyleRole

    public init(_ text: String, role: StyleRole = .statusBar) {
        self.text = text
        self.role = role
    }
}

/// One titled table of a view; the focused pane's selection is the one keys move.
public struct Pane: Sendable, Equatable {
    public var title: String
    /// Right side of the pane's title line: counts, sort, filter, page.
    public var summary: String
    public var table: Table
    public var focused: Bool
    /// Share of the spare height this pane gets relative to the others.
    public var weight: Int
    /// The pane never takes more body rows than this (nil: no limit).
    public var maximumRows: Int?

    public init(title: String, summary: String = "", table: Table, focused: Bool = false, weight: Int = 1,
                maximumRows: Int? = nil) {
        self.title = title
        self.summary = summary
        self.table = table
        self.focused = focused
        self.weight = weight
        self.maximumRows = maximumRows
    }
}

/// A detail screen: labelled fields, then an optional table (e.g. an auction's bid history).
public struct Detail: Sendable, Equatable {
    public var title: String
    public var fields: [(label: String, value: TableCell)]
    public var table: Pane?

    public init(title: String, fields: [(label: String, value: TableCell)], table: Pane? = nil) {
        self.title = title
        self.fields = fields
        self.table = table
    }

    public static func == (lhs: Detail, rhs: Detail) -> Bool {
        lhs.title == rhs.title && lhs.table == rhs.table
            && lhs.fields.map(\.label) == rhs.fields.map(\.label) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }
}

/// The line being typed after `:` or `/`, with the completions that match it.
public struct InputLine: Sendable, Equatable {
    public var prompt: String
    public var text: String
    public var completions: [String]

    public init(prompt: String, text: String, completions: [String] = []) {
        self.prompt = prompt
        self.text = text
        self.completions = completions
    }
}

/// The `?` overlay: every key of the live key map, grouped.
public struct HelpOverlay: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var keys: String
        public var description: String

        public init(keys: String, description: String) {
            self.keys = keys
            self.description = description
        }
    }

    public var title: String
    public var entries: [Entry]

    public init(title: String, entries: [Entry]) {
        self.title = title
        self.entries = entries
    }
}

/// A key and what it does, for the bottom line.
public struct KeyHint: Sendable, Equatable {
    public var key: String
    public var label: String

    public init(key: String, label: String) {
        self.key = key
        self.label = label
    }
}
