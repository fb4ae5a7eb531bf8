/// What a cell of the screen means; the theme decides how each role looks.
public enum StyleRole: String, Sendable, CaseIterable, Hashable {
    case normal, title, header, dim, good, warning, critical, selected, keyHint
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
