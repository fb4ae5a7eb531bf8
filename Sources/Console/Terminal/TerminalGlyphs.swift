import Views

/// What the ncurses backend hands the terminal for one cell's grapheme, so the terminal advances
/// exactly the columns Views laid it out in.
///
/// ncurses (and the terminal behind it) measure a string code point by code point with the C
/// library's `wcwidth`, which knows no grapheme clusters: a ZWJ family is three emoji wide to it, a
/// heart with an emoji selector one column. Such a grapheme is drawn by its first code point
/// (padded with a space when that is narrower), so a row never shifts. A code point the C library
/// cannot print or measures wider (glibc 2.36 has Unicode 14 tables, Views 15.0), and anything but
/// ASCII outside a UTF-8 locale, is drawn as `?` in its width, never as raw bytes.
enum TerminalGlyphs {
    /// The text for `cell` (not a continuation); `columns` is the C library's `wcwidth` (-1: not printable).
    static func text(for cell: Cell, utf8: Bool, columns: (Unicode.Scalar) -> Int) -> String {
        let character = cell.character
        let width = Int(cell.width)
        if character.isASCII { return String(character) }
        guard utf8 else { return String(repeating: "?", count: width) }
        let scalars = character.unicodeScalars
        var counted = 0
        for scalar in scalars {
            let scalarColumns = columns(scalar)
            guard scalarColumns >= 0 else { return String(repeating: "?", count: width) }
            counted += scalarColumns
        }
        if counted == width { return String(character) }
        let first = scalars.first!
        let firstColumns = columns(first)
        guard firstColumns >= 1, firstColumns <= width else { return String(repeating: "?", count: width) }
        return String(first) + String(repeating: " ", count: width - firstColumns)
    }
}
