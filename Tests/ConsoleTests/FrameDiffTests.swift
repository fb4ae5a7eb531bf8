import Testing
import MarketCore
@testable import Console
import Views

/// What the ncurses backend writes between two frames: applied to the old frame as a terminal
/// applies it, it leaves exactly the new frame — no cell of the old one behind, wide or narrow.
@Suite("Frame differences")
struct FrameDiffTests {
    /// A terminal's screen as it treats wide characters: writing over either half of one blanks
    /// the other half.
    struct TerminalModel {
        var cells: [[Cell]]

        init(_ frame: ScreenBuffer?, width: Int, height: Int) {
            cells = (0..<height).map { row in (0..<width).map { column in frame?[column, row] ?? Cell() } }
        }

        mutating func apply(_ run: FrameDiff.Run) {
            var x = run.column
            for cell in run.cells where !cell.isContinuation {
                let width = Int(cell.width)
                if cells[run.row][x].isContinuation { cells[run.row][x - 1] = Cell(" ", role: cells[run.row][x - 1].role) }
                let last = x + width - 1
                if cells[run.row][last].width == 2 { cells[run.row][last + 1] = Cell(" ", role: cells[run.row][last + 1].role) }
                cells[run.row][x] = Cell(cell.character, width: cell.width, role: run.role)
                if width == 2 { cells[run.row][x + 1] = Cell(" ", width: 0, role: run.role) }
                x += width
            }
        }
    }

    static func frame(_ rows: [String], width: Int = 8, role: StyleRole = .normal) -> ScreenBuffer {
        var screen = ScreenBuffer(width: width, height: rows.count)
        for (row, text) in rows.enumerated() { screen.write(text, column: 0, row: row, role: role) }
        return screen
    }

    /// Every cell but the bottom-right one, which is never written (a wide grapheme there shows as
    /// a space). One expectation per frame.
    static func expectShows(_ model: TerminalModel, _ frame: ScreenBuffer, _ context: String = "") {
        let (right, bottom) = (frame.width - 1, frame.height - 1)
        var wrong: [String] = []
        for row in 0..<frame.height {
            for column in 0..<frame.width where !(row == bottom && column == right) {
                var expected = frame[column, row]
                if row == bottom && column == right - 1 && expected.width == 2 { expected = Cell(" ", role: expected.role) }
                // The second half of a wide grapheme shows in the grapheme's style, whatever its own.
                let shown = expected.isContinuation ? model.cells[row][column].isContinuation : model.cells[row][column] == expected
                if !shown { wrong.append("(\(column), \(row))") }
            }
        }
        #expect(wrong.isEmpty, "\(context): \(wrong.prefix(5))")
    }

    @Test func anUnchangedFrameWritesNothing() {
        let frame = Self.frame(["用户 ab", "x"])
        #expect(FrameDiff.runs(from: frame, to: frame).isEmpty)
    }

    @Test func aWideGraphemeOverNarrowOnesIsOneRunCoveringBothCells() {
        let runs = FrameDiff.runs(from: Self.frame(["abcd", ""]), to: Self.frame(["a用d", ""]))
        #expect(runs.count == 1)
        #expect(runs[0].column == 1 && runs[0].cells.map(\.character) == ["用", " "] && runs[0].cells[1].isContinuation)
    }

    @Test func narrowGraphemesOverAWideOneWriteBothCells() {
        let runs = FrameDiff.runs(from: Self.frame(["a用d", ""]), to: Self.frame(["abcd", ""]))
        #expect(runs == [FrameDiff.Run(row: 0, column: 1, role: .normal, cells: [Cell("b"), Cell("c")])])
    }

    @Test func aRunNeverStartsOnTheSecondHalfOfAWideGrapheme() {
        var changed = Self.frame(["a用d", ""])
        changed[2, 0].role = .selected  // only the continuation differs
        let runs = FrameDiff.runs(from: Self.frame(["a用d", ""]), to: changed)
        #expect(runs.first?.column == 1)
    }

    @Test func theBottomRightCellIsNeverWritten() {
        let runs = FrameDiff.runs(from: nil, to: Self.frame(["", "abcdef用"]))
        #expect(runs.last?.column == 0 && runs.last?.cells.map(\.character) == Array("abcdef "),
                "the wide grapheme in the last two cells shows as a space, the bottom-right cell is left")
    }

    /// Random frames of hostile text, each drawn over the one before: the terminal shows the new one.
    @Test func anySequenceOfFramesLeavesNothingOfTheEarlierOnes() {
        let seed: UInt64 = 0xD1FF_0006
        print("frame differences: fuzz seed 0x\(String(seed, radix: 16))")
        var generator = SeededRandom(seed: seed)
        let corpus = HostileCorpus.strings()
        let roles: [StyleRole] = [.normal, .selected, .added, .dim]
        func randomFrame() -> ScreenBuffer {
            var screen = ScreenBuffer(width: 40, height: 6)
            for _ in 0..<Int.random(in: 0...12, using: &generator) {
                screen.write(corpus.randomElement(using: &generator)!, column: Int.random(in: 0..<40, using: &generator),
                             row: Int.random(in: 0..<6, using: &generator), role: roles.randomElement(using: &generator)!,
                             maxWidth: Int.random(in: 1...40, using: &generator))
            }
            // Styles set cell by cell, the second half of a wide grapheme included.
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                screen[Int.random(in: 0..<40, using: &generator), Int.random(in: 0..<6, using: &generator)].role =
                    roles.randomElement(using: &generator)!
            }
            return screen
        }
        var shown: ScreenBuffer?
        var model = TerminalModel(nil, width: 40, height: 6)
        for index in 0..<400 {
            let next = randomFrame()
            for run in FrameDiff.runs(from: shown, to: next) { model.apply(run) }
            Self.expectShows(model, next, "seed 0x\(String(seed, radix: 16)) frame \(index)")
            shown = next
        }
    }
}
