/// What a cell of the screen means; the theme decides how each role looks.
///
/// The raw values are the names theme files use (`themes/*.yaml`).
public enum StyleRole: String, Sendable, CaseIterable, Hashable, Codable {
    /// Ordinary text.
    case normal
    /// The title bar at the top.
    case title
    /// Table column headings.
    case header
    /// Box-drawing lines and separators.
    case border
    /// Secondary text: units, hints inside tables, empty placeholders.
    case dim
    /// Emphasis that is neither good nor bad: the active tab, sparklines, keys in the help.
    case accent
    /// Healthy states: a server that answers, Redis lock mode.
    case good
    /// Worth a look: advisory fallback, a TTL running low, an old pending transfer.
    case warning
    /// Act now: a lost server, fail-closed locks, a stuck lock, a refused action.
    case critical
    /// The row under the cursor.
    case selected
    /// A row that appeared since the previous refresh.
    case added
    /// A row whose values changed since the previous refresh.
    case changed
    /// A row that is about to leave (shown for one refresh after it went away).
    case removed
    /// The status bar (connection health, refresh age, operator).
    case statusBar
    /// The key-hint line at the bottom.
    case keyHint
    /// Dialogs and the help overlay.
    case dialog
    /// The command line and filter input.
    case input
}

/// One column of the screen: a grapheme and its role. A wide grapheme (CJK, emoji) sits in two
/// cells: the first holds it with ``width`` 2, the second is its continuation (``width`` 0).
public struct Cell: Sendable, Equatable {
    /// The grapheme drawn from this cell (a space in a continuation cell).
    public var character: Character
    /// Columns the grapheme takes: 1, 2 for a wide one, 0 for the second half of a wide one.
    public var width: UInt8
    public var role: StyleRole

    public init(_ character: Character = " ", width: UInt8 = 1, role: StyleRole = .normal) {
        self.character = character
        self.width = width
        self.role = role
    }

    /// Whether this cell is the second half of the wide grapheme to its left.
    public var isContinuation: Bool { width == 0 }
}

/// A grid of styled cells: what a view renders and a backend draws.
///
/// Views write text into it without any terminal in sight, so a test can compare ``lines`` with
/// expected text. Text goes through ``TerminalText/sanitized(_:)`` and is laid out in terminal
/// columns (``Character/displayWidth``); text past the right edge is cut, never half a wide
/// grapheme; rows past the bottom are ignored.
public struct ScreenBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(column: Int, row: Int) -> Cell {
        get { cells[row * width + column] }
        set { cells[row * width + column] = newValue }
    }

    /// Writes `text` from (`column`, `row`), cut at `maxWidth` columns or the right edge; returns
    /// the column after it. Control and invisible characters show as escapes (`\e`, `\u202E`).
    @discardableResult
    public mutating func write(_ text: String, column: Int, row: Int, role: StyleRole = .normal, maxWidth: Int? = nil) -> Int {
        guard row >= 0, row < height else { return column }
        let limit = min(width, column + (maxWidth ?? width))
        var x = column
        let shown = TerminalText.sanitized(text)
        if shown.utf8.allSatisfy({ $0 < 0x80 }) {
            // Sanitised ASCII: one byte, one column.
            for byte in shown.utf8 {
                guard x < limit else { break }
                if x >= 0 { put(Character(Unicode.Scalar(byte)), width: 1, column: x, row: row, role: role) }
                x += 1
            }
            return x
        }
        for character in shown {
            let columns = character.displayWidth
            guard columns > 0 else { continue }
            guard x + columns <= limit else { break }
            if x >= 0 { put(character, width: columns, column: x, row: row, role: role) }
            x += columns
        }
        return x
    }

    /// Places one grapheme; a wide grapheme it partly covers is blanked, never left half drawn.
    private mutating func put(_ character: Character, width columns: Int, column x: Int, row: Int, role: StyleRole) {
        if self[x, row].isContinuation, x > 0 { self[x - 1, row] = Cell(" ", role: self[x - 1, row].role) }
        let last = x + columns - 1
        if self[last, row].width == 2, last + 1 < width { self[last + 1, row] = Cell(" ", role: self[last + 1, row].role) }
        self[x, row] = Cell(character, width: UInt8(columns), role: role)
        if columns == 2 { self[x + 1, row] = Cell(" ", width: 0, role: role) }
    }

    /// Paints a whole row in `role` (for title bars and selections).
    public mutating func fill(row: Int, role: StyleRole) {
        guard row >= 0, row < height else { return }
        for x in 0..<width { self[x, row].role = role }
    }

    /// The graphemes of each row (a wide one once), trailing spaces removed: what a rendering test compares.
    public var lines: [String] {
        (0..<height).map { row in
            var line = ""
            for x in 0..<width where !self[x, row].isContinuation { line.append(self[x, row].character) }
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// The rows as one string, for readable test failures.
    public var text: String { lines.joined(separator: "\n") }
}
