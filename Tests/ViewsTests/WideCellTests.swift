import Testing
@testable import Views

@Suite("Wide graphemes in cells")
struct WideCellTests {
    @Test func aWideGraphemeTakesTwoCellsTheSecondAContinuation() {
        var screen = ScreenBuffer(width: 6, height: 1)
        let end = screen.write("a用b", column: 0, row: 0)
        #expect(end == 4)
        #expect(screen[1, 0].character == "用" && screen[1, 0].width == 2)
        #expect(screen[2, 0].isContinuation)
        #expect(screen[3, 0].character == "b")
        #expect(screen.lines == ["a用b"])
    }

    @Test func aWideGraphemeThatDoesNotFitIsLeftOutWhole() {
        var screen = ScreenBuffer(width: 4, height: 1)
        #expect(screen.write("ab用", column: 0, row: 0, maxWidth: 3) == 2)
        #expect(screen.lines == ["ab"])
        #expect(!screen.cells.contains { $0.isContinuation })
    }

    @Test func overwritingHalfAWideGraphemeBlanksItsOtherHalf() {
        var screen = ScreenBuffer(width: 6, height: 1)
        screen.write("用户名", column: 0, row: 0)
        screen.write("x", column: 1, row: 0)
        screen.write("y", column: 2, row: 0)
        #expect(screen.lines == [" xy 名"])
        #expect(screen.cells.filter(\.isContinuation).count == 1)
        #expect(screen[4, 0].width == 2)
    }

    @Test func aWideGraphemeOverNarrowOnesReplacesBoth() {
        var screen = ScreenBuffer(width: 4, height: 1)
        screen.write("abcd", column: 0, row: 0)
        screen.write("🎁", column: 1, row: 0)
        #expect(screen.lines == ["a🎁d"])
        screen.write("户", column: 2, row: 0)
        #expect(screen.lines == ["a 户"])
    }

    @Test func writtenControlsShowAsEscapes() {
        var screen = ScreenBuffer(width: 20, height: 1)
        screen.write("x\u{1B}[2J\u{202E}y", column: 0, row: 0)
        #expect(screen.lines == ["x\\e[2J\\u202Ey"])
    }

    @Test(arguments: [
        ("用户名字很长的名字🎁", 9, "用户名字…"),
        ("用户名字很长的名字🎁", 10, "用户名字…"),
        ("abcdefghij", 5, "abcd…"),
        ("short", 5, "short"),
        ("cafe\u{301} au lait", 6, "cafe\u{301} …"),
        ("cafe\u{301}s au lait", 6, "cafe\u{301}s…"),
        ("👨‍👩‍👧👨‍👩‍👧", 3, "👨‍👩‍👧…"),
        ("a\u{1B}b", 3, "a\\…"),
    ])
    func truncationCountsColumnsAndNeverSplitsAGrapheme(text: String, width: Int, shown: String) {
        let result = text.truncated(toWidth: width)
        #expect(result == shown)
        #expect(result.displayWidth <= width)
    }

    @Test func aTextFieldShowsTheEndThatFits() {
        #expect("用户名字".suffix(fittingWidth: 5) == "名字")
        #expect("abc".suffix(fittingWidth: 5) == "abc")
    }
}
