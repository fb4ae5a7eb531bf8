import Foundation

/// Stacks panes in a band of rows: each gets a title line, a header line and a share of the rest.
enum PaneLayout {
    static func draw(_ panes: [Pane], into screen: inout ScreenBuffer, top: Int, height: Int, now: Date, boxes: BoxCharacters) {
        guard !panes.isEmpty else { return }
        let bodies = bodyHeights(panes, available: height - panes.count * 2)
        var y = top
        for (pane, body) in zip(panes, bodies) {
            drawTitleLine(pane, into: &screen, row: y, boxes: boxes)
            TableRenderer.draw(pane.table, into: &screen, column: 1, row: y + 1, width: screen.width - 2, height: body + 1,
                               focused: pane.focused, now: now, boxes: boxes)
            y += body + 2
        }
    }

    /// Body rows per pane: at least one each, the rest by weight, never above a pane's maximum
    /// (what a capped pane does not use goes to the others).
    static func bodyHeights(_ panes: [Pane], available: Int) -> [Int] {
        var heights = Array(repeating: 1, count: panes.count)
        var spare = available - panes.count
        var open = Set(panes.indices.filter { panes[$0].maximumRows.map { $0 > 1 } ?? true })
        while spare > 0, !open.isEmpty {
            let totalWeight = open.reduce(0) { $0 + max(1, panes[$1].weight) }
            var given = 0
            // Heaviest first, so rounding leftovers go where the weight is.
            for index in open.sorted(by: { (panes[$0].weight, -$0) > (panes[$1].weight, -$1) }) {
                var share = spare * max(1, panes[index].weight) / totalWeight
                if share == 0 && given == 0 { share = 1 }
                if let maximum = panes[index].maximumRows { share = min(share, maximum - heights[index]) }
                heights[index] += share
                given += share
                if let maximum = panes[index].maximumRows, heights[index] >= maximum { open.remove(index) }
            }
            guard given > 0 else { break }
            spare -= given
        }
        return heights
    }

    private static func drawTitleLine(_ pane: Pane, into screen: inout ScreenBuffer, row: Int, boxes: BoxCharacters) {
        let line = String(repeating: boxes.horizontal, count: screen.width)
        screen.write(line, column: 0, row: row, role: .border)
        let titleEnd = screen.write(" \(pane.title) ", column: 1, row: row, role: pane.focused ? .accent : .header)
        guard !pane.summary.isEmpty else { return }
        let summary = " \(pane.summary) "
        let start = max(titleEnd + 1, screen.width - 1 - summary.displayWidth)
        screen.write(summary, column: start, row: row, role: .dim, maxWidth: screen.width - 1 - start)
    }
}
