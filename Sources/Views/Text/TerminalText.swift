/// The one way untrusted text (names, gift titles, reasons, query texts) reaches a person's
/// terminal: everything a terminal would act on or hide instead of showing becomes a visible escape.
///
/// Escaped: C0 controls and DEL (`\e`, `\n`, `\t`, `\r`, `\0`, else `\x01`…`\x7F`), C1 controls
/// (`\x9B`), line and paragraph separators, bidi embeddings, overrides and isolates
/// (`\u202E`, `\u2066`) and every other invisible format character (`\u200B`, `\uFEFF`, `\u200F`).
/// Kept: the joiners and tags that build emoji (ZWJ, ZWNJ, variation selectors, tag characters),
/// so a family or a flag still shows as one picture. So `ESC [2J` shows as `\e[2J`, and no name
/// can clear the screen, set the clipboard (OSC 52) or flip the rest of a row right to left.
///
/// A backslash is kept as it is, so ASCII text shows unchanged.
public enum TerminalText {
    /// `text` with every control and invisible format character replaced by its escape.
    public static func sanitized(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                result.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// `text` sanitised line by line: its line feeds kept (a message of several lines), everything
    /// else as ``sanitized(_:)`` does.
    public static func sanitizedLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { sanitized(String($0)) }.joined(separator: "\n")
    }

    /// Whether `scalar` would be acted on or hidden by a terminal rather than shown.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x20..<0x7F, 0xA0..<0xAD, 0xAE..<0x600: return false
        case 0..<0x20, 0x7F...0x9F: return true
        // ZWNJ, ZWJ; variation selectors; emoji tag characters.
        case 0x200C, 0x200D, 0xFE00...0xFE0F, 0xE0020...0xE007F: return false
        default:
            switch scalar.properties.generalCategory {
            case .format, .lineSeparator, .paragraphSeparator, .control, .surrogate: return true
            default: return false
            }
        }
    }

    /// The visible form of one escaped scalar: `\e`, `\n`, `\x7F`, `\u202E`, `\u{E0001}`.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x1B: return "\\e"
        case 0x0A: return "\\n"
        case 0x09: return "\\t"
        case 0x0D: return "\\r"
        case 0x00: return "\\0"
        case let value where value <= 0xFF: return "\\x" + hex(value, digits: 2)
        case let value where value <= 0xFFFF: return "\\u" + hex(value, digits: 4)
        case let value: return "\\u{" + hex(value, digits: 1) + "}"
        }
    }

    private static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
