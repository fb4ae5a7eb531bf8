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

/// One character cell of the screen.
public struct Cell: Sendable, Equatable {
    public var character: Character
    public var role: StyleRole

    public init(_ character: Character = " ", role: StyleRole = .normal) {
        self.character = character
        self.role = role
    }
}

/// A grid of styled cells: what a view renders and a backend draws.
///
/// Views write text into it without any terminal in sight, so a test can compare ``lines`` with
/// expected text. Text past the right edge is cut; rows past the bottom are ignored.
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

    /// Writes `text` from (`column`, `row`), cut at `maxWidth` or the right edge; returns the column after it.
    @discardableResult
    public mutating func write(_ text: String, column: Int, row: Int, role: StyleRole = .normal, maxWidth: Int? = nil) -> Int {
        guard row >= 0, row < height else { return column }
        let limit = min(width, column + (maxWidth ?? width))
        var x = column
        for character in text {
            guard x < limit else { break }
            if x >= 0 { self[x, row] = Cell(character, role: role) }
            x += 1
        }
        return x
    }

    /// Paints a whole row in `role` (for title bars and selections).
    public mutating func fill(row: Int, role: StyleRole) {
        guard row >= 0, row < height else { return }
        for x in 0..<width { self[x, row] = Cell(self[x, row].character, role: role) }
    }

    /// The characters of each row, trailing spaces removed: what a rendering test compares.
    public var lines: [String] {
        (0..<height).map { row in
            var line = String((0..<width).map { self[$0, row].character })
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    /// The rows as one string, for readable test failures.
    public var text: String { lines.joined(separator: "\n") }
}
