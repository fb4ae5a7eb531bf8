import Testing
@testable import Console
import Views

/// What the ncurses backend hands the terminal: never more or fewer columns than Views laid out.
@Suite("Terminal glyphs")
struct TerminalGlyphsTests {
    /// `wcwidth` as glibc gives it in a UTF-8 locale, for the code points used here.
    static func utf8Width(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0x200D, 0xFE0F, 0x301, 0x20E3: 0
        case 0x1F468, 0x1F469, 0x1F467, 0x7528, 0x1F381: 2
        default: 1
        }
    }

    static func cell(_ text: String) -> Cell {
        let character = Character(text)
        return Cell(character, width: UInt8(character.displayWidth))
    }

    @Test func graphemesTheCLibraryMeasuresAlikeAreDrawnAsTheyAre() {
        for text in ["用", "🎁", "e\u{301}", "🇯🇵", "a"] {
            #expect(TerminalGlyphs.text(for: Self.cell(text), utf8: true, columns: Self.utf8Width) == text)
        }
    }

    @Test func aZWJFamilyIsDrawnAsItsFirstEmojiAndAnEmojiSelectorIsPadded() {
        #expect(TerminalGlyphs.text(for: Self.cell("👨‍👩‍👧"), utf8: true, columns: Self.utf8Width) == "👨")
        #expect(TerminalGlyphs.text(for: Self.cell("❤️"), utf8: true, columns: Self.utf8Width) == "❤ ")
        #expect(TerminalGlyphs.text(for: Self.cell("1️⃣"), utf8: true, columns: Self.utf8Width) == "1 ")
    }

    @Test func outsideAUTF8LocaleAnythingButASCIIIsAQuestionMarkInItsWidth() {
        let cLocale: (Unicode.Scalar) -> Int = { $0.isASCII ? 1 : -1 }
        #expect(TerminalGlyphs.text(for: Self.cell("用"), utf8: false, columns: cLocale) == "??")
        #expect(TerminalGlyphs.text(for: Self.cell("é"), utf8: false, columns: cLocale) == "?")
        #expect(TerminalGlyphs.text(for: Self.cell("x"), utf8: false, columns: cLocale) == "x")
        #expect(TerminalGlyphs.text(for: Self.cell("🎁"), utf8: true, columns: cLocale) == "??")
    }
}
