import Foundation
import Testing
@testable import Views

@Suite("Table rendering")
struct TableRenderingTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let table = Table(
        columns: [TableColumn("ID", sortKey: "id", width: 4), TableColumn("Name", width: 6, flexible: true),
                  TableColumn("Left", sortKey: "ends_at", width: 8), TableColumn("Note", width: 6, dropPriority: 1)],
        rows: [
            TableRow(id: "1", cells: [.number("1"), .text("alpha"), TableCell(.countdown(now.addingTimeInterval(247))), .text("n1")]),
            TableRow(id: "22", cells: [.number("22"), .text("a very long name"), TableCell(.countdown(now.addingTimeInterval(-3))), TableCell(.empty)]),
        ],
        selectedIndex: 1, sortKey: "ends_at", descending: true)

    @Test func columnsFillTheWidthAndTheSortColumnShowsItsDirection() {
        var screen = ScreenBuffer(width: 40, height: 4)
        TableRenderer.draw(Self.table, into: &screen, column: 0, row: 0, width: 40, height: 4, focused: true, now: Self.now, boxes: .unicode)
        #expect(screen.lines == [
            "  ID Name                   Left▼ Note",
            "   1 alpha                  4m07s n1",
            "  22 a very long name    ended 3… —",
            "",
        ])
        #expect(screen[0, 2].role == .selected)
        #expect(screen[0, 1].role == .normal)
    }

    @Test func aNarrowTableDropsTheColumnWithTheHighestDropPriority() {
        var screen = ScreenBuffer(width: 22, height: 3)
        TableRenderer.draw(Self.table, into: &screen, column: 0, row: 0, width: 22, height: 3, focused: false, now: Self.now, boxes: .ascii)
        #expect(screen.lines == [
            "  ID Name        Leftv",
            "   1 alpha       4m07s",
            "  22 a very … ended 3…",
        ])
    }

    @Test func anEmptyTableSaysWhy() {
        var screen = ScreenBuffer(width: 30, height: 3)
        let empty = Table(columns: Self.table.columns, emptyMessage: "no live auctions")
        TableRenderer.draw(empty, into: &screen, column: 0, row: 0, width: 30, height: 3, focused: true, now: Self.now, boxes: .unicode)
        #expect(screen.lines[1] == " no live auctions")
        #expect(screen[1, 1].role == .dim)
    }

    @Test func theSelectionStaysVisibleWhenRowsOutnumberTheHeight() {
        let rows = (1...10).map { TableRow(id: "\($0)", cells: [.number("\($0)")]) }
        let table = Table(columns: [TableColumn("N", width: 3)], rows: rows, selectedIndex: 8)
        var screen = ScreenBuffer(width: 5, height: 4)
        TableRenderer.draw(table, into: &screen, column: 0, row: 0, width: 5, height: 4, focused: true, now: Self.now, boxes: .unicode)
        #expect(screen.lines == ["  N", "  7", "  8", "  9"])
    }

    @Test(arguments: [(0.0, "0s"), (59.9, "59s"), (247, "4m07s"), (7_500, "2h05m"), (273_600, "3d04h")])
    func durationsAreCompact(seconds: Double, text: String) {
        #expect(CellValue.compactDuration(seconds) == text)
    }

    @Test func sparklinesScaleToTheirMaximumAndShowAnyNonZeroValue() {
        #expect(Sparkline.render([0, 1, 50, 100], width: 10, boxes: .unicode) == " ▁▄█")
        #expect(Sparkline.render([0, 1, 50, 100], width: 2, boxes: .ascii) == "=@")
    }

    @Test func wideNamesAreCutAtWholeGraphemesAndNumbersStayRightAligned() {
        let table = Table(columns: [TableColumn("Name", width: 8), TableColumn("Bid", width: 7)], rows: [
            TableRow(id: "1", cells: [.text("用户名字很长的名字🎁"), .number("1.5 TON")]),
            TableRow(id: "2", cells: [.text("ab🎁cdefg"), .number("2")]),
            TableRow(id: "3", cells: [.text("e\u{301}\u{1B}[2J"), .number("30")]),
        ])
        var screen = ScreenBuffer(width: 16, height: 4)
        TableRenderer.draw(table, into: &screen, column: 0, row: 0, width: 16, height: 4, focused: false, now: Self.now, boxes: .unicode)
        #expect(screen.lines == [
            "Name         Bid",
            "用户名…  1.5 TON",
            "ab🎁cde…       2",
            "e\u{301}\\e[2J        30",
        ])
        #expect(screen.lines.allSatisfy { $0.displayWidth == 16 })
    }

    @Test func plainTablesPadByTerminalColumns() {
        let table = Table(columns: [TableColumn("Name", width: 4), TableColumn("N", width: 1)], rows: [
            TableRow(id: "1", cells: [.text("用户"), .number("1")]), TableRow(id: "2", cells: [.text("a\tb"), .number("22")]),
        ])
        #expect(PlainTable.render(table, now: Self.now) == "Name   N\n用户   1\na\\tb  22")
    }

    @Test func plainTablesShowEveryColumnUncut() {
        #expect(PlainTable.render(Self.table, now: Self.now) == """
            ID  Name                      Left  Note
             1  alpha                    4m07s  n1
            22  a very long name  ended 3s ago  —
            """)
    }
}
