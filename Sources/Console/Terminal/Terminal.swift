import CNCurses
import Foundation
import Views

/// A key the operator pressed, decoded from ncurses' codes.
enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl and a letter, e.g. `.control("l")` for Ctrl-L.
    case control(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, tab, backTab, backspace, delete, escape
    case resize
    case other(Int32)
}

/// The ncurses screen: the only type that touches the terminal, used from one thread only.
///
/// Draws a ``ScreenBuffer`` by writing just the cells that changed since the last frame.
final class Terminal {
    private var previous: ScreenBuffer?
    private var attributes: [StyleRole: attr_t] = [:]

    init(theme: Theme) {
        setlocale(LC_ALL, "")
        initscr()
        cbreak()
        noecho()
        nonl()
        keypad(cncurses_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        wtimeout(cncurses_stdscr(), 100)
        attributes = TerminalPalette.install(theme, environment: ProcessInfo.processInfo.environment)
    }

    /// Makes stdout line-buffered, so progress lines reach a pipe or a CI log as they are printed.
    static func lineBufferStandardOutput() {
        cncurses_line_buffer_stdout()
    }

    /// Restores the terminal. Safe to call more than once.
    func shutdown() {
        if isendwin() == false { endwin() }
    }

    /// Forgets the last frame, so the next ``draw(_:)`` repaints every cell (Ctrl-L).
    func invalidate() {
        previous = nil
        clearok(cncurses_stdscr(), true)
    }

    var size: (width: Int, height: Int) {
        (Int(cncurses_cols()), Int(cncurses_lines()))
    }

    /// Waits up to 100 ms for a key.
    func readKey() -> Key? {
        var character: wint_t = 0
        let status = wget_wch(cncurses_stdscr(), &character)
        if status == ERR { return nil }
        if status == KEY_CODE_YES { return functionKey(Int32(character)) }
        switch character {
        case 27: return .escape
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(UInt8(character) + 96)))
        default:
            guard let scalar = Unicode.Scalar(UInt32(character)) else { return .other(Int32(character)) }
            return .character(Character(scalar))
        }
    }

    private func functionKey(_ code: Int32) -> Key {
        switch code {
        case cncurses_key_resize():
            previous = nil
            return .resize
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        default: return .other(code)
        }
    }

    /// Whether the terminal's locale encodes UTF-8, so box-drawing characters can be drawn.
    static var localeIsUTF8: Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        return String(cString: codeset).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
    }

    /// The width the C library (and so ncurses) gives `scalar` in the current locale; -1: not printable.
    private static func libraryWidth(_ scalar: Unicode.Scalar) -> Int {
        Int(cncurses_wcwidth(scalar.value))
    }

    /// Draws `buffer`, writing only cells that differ from the last frame.
    ///
    /// The second half of a wide grapheme is a cell of its own, so a wide grapheme replacing narrow
    /// ones (or the reverse) changes both of its cells and both are written; a run never starts in
    /// the middle of a wide grapheme.
    func draw(_ buffer: ScreenBuffer) {
        let full = previous.map { $0.width != buffer.width || $0.height != buffer.height } ?? true
        if full { werase(cncurses_stdscr()) }
        let utf8 = Self.localeIsUTF8
        for row in 0..<buffer.height {
            var column = 0
            while column < buffer.width {
                if !full, let previous, previous[column, row] == buffer[column, row] {
                    column += 1
                    continue
                }
                if buffer[column, row].isContinuation && column > 0 { column -= 1 }
                let role = buffer[column, row].role
                // Write the run of changed cells that share a style in one call.
                var glyphs: [String] = []
                var end = column
                while end < buffer.width, buffer[end, row].role == role,
                      end == column || full || buffer[end, row].isContinuation || previous?[end, row] != buffer[end, row] {
                    let cell = buffer[end, row]
                    if !cell.isContinuation { glyphs.append(TerminalGlyphs.text(for: cell, utf8: utf8, columns: Self.libraryWidth)) }
                    end += 1
                }
                let attribute = attributes[role] ?? cncurses_a_normal()
                wattrset(cncurses_stdscr(), Int32(bitPattern: attribute))
                // The bottom-right cell cannot be written without scrolling: leave it.
                if row == buffer.height - 1 && end == buffer.width { glyphs.removeLast() }
                mvwaddstr(cncurses_stdscr(), Int32(row), Int32(column), glyphs.joined())
                column = end
            }
        }
        wattrset(cncurses_stdscr(), Int32(bitPattern: cncurses_a_normal()))
        wrefresh(cncurses_stdscr())
        previous = buffer
    }
}
