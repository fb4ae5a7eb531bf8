import Testing
@testable import Views

@Suite("Sanitising untrusted text")
struct TerminalTextTests {
    @Test(arguments: [
        ("\u{1B}[2J", "\\e[2J"),
        ("\u{1B}]52;c;aGk=\u{07}", "\\e]52;c;aGk=\\x07"),
        ("line\nnext\r\tend", "line\\nnext\\r\\tend"),
        ("del\u{7F}", "del\\x7F"),
        ("c1\u{9B}31m", "c1\\x9B31m"),
        ("nul\u{0}", "nul\\0"),
        ("evil\u{202E}txt.exe", "evil\\u202Etxt.exe"),
        ("\u{2066}iso\u{2069}", "\\u2066iso\\u2069"),
        ("zero\u{200B}width", "zero\\u200Bwidth"),
        ("bom\u{FEFF}", "bom\\uFEFF"),
        ("rlm\u{200F}", "rlm\\u200F"),
        ("soft\u{AD}hyphen", "soft\\xADhyphen"),
        ("sep\u{2028}", "sep\\u2028"),
    ])
    func controlsAndInvisibleFormatCharactersBecomeVisibleEscapes(raw: String, shown: String) {
        #expect(TerminalText.sanitized(raw) == shown)
    }

    @Test(arguments: ["plain ASCII, with \\ backslash", "用户名字很长的名字🎁", "👨‍👩‍👧 family", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "cafe\u{301}",
                      "مرحبا", "שלום", "🇺🇦", "זה\u{200C}ט"])
    func printableTextAndEmojiJoinersStayAsTheyAre(text: String) {
        #expect(TerminalText.sanitized(text) == text)
    }

    @Test func sanitisedTextHoldsNothingToEscape() {
        let hostile = "\u{1B}[31m\u{9D}8;;http://x\u{1B}\\\u{202D}\u{E0001}"
        let shown = TerminalText.sanitized(hostile)
        #expect(!shown.unicodeScalars.contains(where: TerminalText.needsEscape))
        #expect(TerminalText.sanitized(shown) == shown)
        #expect(shown.contains("\\u{E0001}"))
    }
}
