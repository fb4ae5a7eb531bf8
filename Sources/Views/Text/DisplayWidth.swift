extension Character {
    /// The terminal columns this grapheme takes: 2 for East Asian Wide and Fullwidth characters and
    /// emoji shown as emoji (emoji presentation, a VS16 selector, ZWJ sequences, flags), 0 for a
    /// lone combining mark or format character, 1 otherwise. Control characters count 0: Views
    /// never draws them (``TerminalText/sanitized(_:)`` turns them into visible escapes first).
    ///
    /// Widths come from the Unicode Character Database (``WidthTable``), so they agree with
    /// `wcwidth` of the same Unicode version for single code points; a cluster takes the width of
    /// its first code point, widened to 2 by an emoji selector or a regional-indicator pair.
    public var displayWidth: Int {
        let scalars = unicodeScalars
        let first = scalars.first!.value
        let base = first < 0x7F ? (first >= 0x20 ? 1 : 0) : first < 0xA0 ? 0 : Self.width(of: first)
        guard base == 1, scalars.count > 1 else { return base }
        // U+FE0F asks for emoji presentation; two regional indicators make a flag.
        if scalars.contains(where: { $0.value == 0xFE0F }) || (0x1F1E6...0x1F1FF).contains(first) { return 2 }
        return base
    }

    /// Width of one code point by the generated table (controls excluded by the caller).
    static func width(of scalar: UInt32) -> Int {
        if scalar < 0x300 { return scalar == 0xAD ? 0 : 1 }
        if WidthTable.zero.containsScalar(scalar) { return 0 }
        return WidthTable.wide.containsScalar(scalar) ? 2 : 1
    }
}

extension StringProtocol {
    /// The terminal columns this text takes when Views draws it: the sum of its graphemes'
    /// ``Character/displayWidth``, where a control or invisible character counts as the escape
    /// ``TerminalText/sanitized(_:)`` shows for it (`ESC` is `\e`: 2 columns).
    ///
    /// Printable ASCII is measured without looking at graphemes, so plain text costs one pass
    /// over its bytes.
    public var displayWidth: Int {
        if utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return utf8.count }
        return TerminalText.sanitized(String(self)).reduce(0) { $0 + $1.displayWidth }
    }
}

extension Array where Element == ClosedRange<UInt32> {
    /// Binary search in sorted, disjoint ranges.
    func containsScalar(_ scalar: UInt32) -> Bool {
        var low = 0
        var high = count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = self[middle]
            if scalar < range.lowerBound {
                high = middle - 1
            } else if scalar > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }
}
