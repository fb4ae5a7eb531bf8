import Testing
@testable import Views

/// Widths tmux and xterm agree on (both follow `wcwidth` of the same Unicode version for single
/// code points; the clusters are the ones modern terminals draw as one picture).
@Suite("Display width")
struct DisplayWidthTests {
    @Test(arguments: [
        ("plain", 5), ("", 0),
        ("用户名", 6), ("ｆｕｌｌ", 8), ("한국어", 6),
        ("🎁", 2), ("Plush Pepe 🐸", 13),
        ("🇯🇵", 2), ("🇯🇵🇫🇷", 4),
        ("👨‍👩‍👧", 2), ("🏳️‍🌈", 2), ("❤️", 2), ("1️⃣", 2),
        ("e\u{301}", 1), ("cafe\u{301}", 4), ("a\u{300}\u{301}\u{302}", 1),
        ("\u{1100}\u{1161}\u{11A8}", 2),
        ("Ω", 1), ("й", 1),
    ])
    func graphemesTakeTheirTerminalColumns(text: String, columns: Int) {
        #expect(text.displayWidth == columns)
    }

    @Test func aLoneCombiningMarkOrZeroWidthCharacterTakesNoColumn() {
        #expect(Character("\u{301}").displayWidth == 0)
        #expect(Character("\u{200D}").displayWidth == 0)
        #expect(Character("\u{1160}").displayWidth == 0)
    }

    @Test func controlsCountAsTheEscapesTheyAreShownAs() {
        #expect("a\u{1B}[2Jb".displayWidth == "a\\e[2Jb".count)
        #expect("x\u{202E}y".displayWidth == "x\\u202Ey".count)
        #expect("tab\there".displayWidth == 9)
    }

    @Test func theTableNamesItsUnicodeVersionAndHoldsSortedDisjointRanges() {
        #expect(WidthTable.unicodeVersion == "15.0.0")
        for ranges in [WidthTable.wide, WidthTable.zero] {
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound < $1.lowerBound })
        }
    }
}
