import Views

/// The cells of a frame that must be written because they differ from the frame on screen,
/// as runs of one style: what the ncurses backend sends, and what a test can check without a
/// terminal.
///
/// The second half of a wide grapheme is a cell of its own, so a wide grapheme replacing narrow
/// ones (or the reverse) changes both of its cells and both are written; a run never starts in
/// the middle of a wide grapheme. The bottom-right cell is never written (a terminal would scroll):
/// a wide grapheme there is drawn as a space.
enum FrameDiff {
    /// A stretch of one row written in one call: its cells share `role`.
    struct Run: Equatable {
        var row: Int
        var column: Int
        var role: StyleRole
        /// The cells from `column` on, continuations included.
        var cells: [Cell]
    }

    /// The runs that turn `previous` (nil: an erased screen of another size) into `frame`.
    static func runs(from previous: ScreenBuffer?, to frame: ScreenBuffer) -> [Run] {
        let previous = previous.flatMap { $0.width == frame.width && $0.height == frame.height ? $0 : nil }
        var runs: [Run] = []
        for row in 0..<frame.height {
            var column = 0
            while column < frame.width {
                if let previous, previous[column, row] == frame[column, row] {
                    column += 1
                    continue
                }
                if frame[column, row].isContinuation && column > 0 { column -= 1 }
                var run = Run(row: row, column: column, role: frame[column, row].role, cells: [])
                var end = column
                // A continuation always goes with its grapheme: it draws nothing of its own.
                while end < frame.width, end == column || frame[end, row].isContinuation
                        || (frame[end, row].role == run.role && (previous == nil || previous?[end, row] != frame[end, row])) {
                    run.cells.append(frame[end, row])
                    end += 1
                }
                if row == frame.height - 1 && end == frame.width {
                    // Leave the bottom-right cell; a wide grapheme it is the second half of becomes
                    // a space, so its first cell shows nothing older.
                    if run.cells.removeLast().isContinuation {
                        run.cells[run.cells.count - 1] = Cell(" ", role: run.role)
                    }
                }
                if !run.cells.isEmpty { runs.append(run) }
                column = end
            }
        }
        return runs
    }
}
