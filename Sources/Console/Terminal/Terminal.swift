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
    /// Whether the locale encodes UTF-8; outside it only ASCII is drawn as it is.
    private let utf8: Bool

    init(theme: Theme) {
        setlocale(LC_ALL, "")
        utf8 = Self.localeIsUTF8
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

    /// Draws `buffer`, writing only the cells that differ from the last frame (``FrameDiff``).
    func draw(_ buffer: ScreenBuffer) {
        let full = previous.map { $0.width != buffer.width || $0.height != buffer.height } ?? true
        if full { werase(cncurses_stdscr()) }
        for run in FrameDiff.runs(from: full ? nil : previous, to: buffer) {
            let text = run.cells.filter { !$0.isContinuation }
                .map { TerminalGlyphs.text(for: $0, utf8: utf8, columns: Self.libraryWidth) }.joined()
            wattrset(cncurses_stdscr(), Int32(bitPattern: attributes[run.role] ?? cncurses_a_normal()))
            mvwaddstr(cncurses_stdscr(), Int32(run.row), Int32(run.column), text)
        }
        wattrset(cncurses_stdscr(), Int32(bitPattern: cncurses_a_normal()))
        wrefresh(cncurses_stdscr())
        previous = buffer
    }
}
