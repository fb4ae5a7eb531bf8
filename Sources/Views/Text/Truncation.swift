extension String {
    /// The text as shown (``TerminalText/sanitized(_:)``) cut to `width` columns: when it is wider,
    /// whole graphemes are kept while they fit before a closing `…`, so no grapheme is split and no
    /// wide grapheme is half shown (the result may then be a column narrower than `width`).
    public func truncated(toWidth width: Int) -> String {
        guard width > 0 else { return "" }
        let shown = TerminalText.sanitized(self)
        if shown.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return shown.utf8.count <= width ? shown : String(shown.utf8.prefix(width - 1))! + "…"
        }
        guard shown.displayWidth > width else { return shown }
        var result = ""
        var used = 0
        for character in shown {
            let columns = character.displayWidth
            guard used + columns <= width - 1 else { break }
            result.append(character)
            used += columns
        }
        return result + "…"
    }

    /// The end of the text as shown that fits in `width` columns, whole graphemes only: what a
    /// text field shows when its text is longer than the field and the cursor is at the end.
    public func suffix(fittingWidth width: Int) -> String {
        let shown = TerminalText.sanitized(self)
        var result = Substring(shown)
        var used = result.displayWidth
        while used > width, let first = result.first {
            used -= first.displayWidth
            result = result.dropFirst()
        }
        return String(result)
    }
}
