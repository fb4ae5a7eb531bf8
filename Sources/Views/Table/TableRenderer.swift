import Foundation

/// Draws a ``Table`` into a rectangle of a ``ScreenBuffer``: a header line, then the rows that fit,
/// scrolled so the selected row is visible.
enum TableRenderer {
    static func draw(_ table: Table, into screen: inout ScreenBuffer, column x: Int, row y: Int, width: Int, height: Int,
                     focused: Bool, now: Date, boxes: BoxCharacters) {
        guard width > 0, height > 0 else { return }
        let layout = columnLayout(table.columns, width: width)
        // A column of numbers is right-aligned, its heading and its empty cells too.
        let numericColumns = table.columns.indices.map { index in
            table.rows.contains { $0.cells.indices.contains(index) && $0.cells[index].value.isNumeric }
        }
        var headerX = x
        for (index, columnWidth) in layout {
            let column = table.columns[index]
            var title = column.title
            if let key = column.sortKey, key == table.sortKey {
                title += String(table.descending ? boxes.descending : boxes.ascending)
            }
            let start = numericColumns[index] ? headerX + max(0, columnWidth - title.displayWidth) : headerX
            screen.write(title, column: start, row: y, role: .header, maxWidth: columnWidth)
            headerX += columnWidth + 1
        }
        let bodyHeight = height - 1
        guard bodyHeight > 0 else { return }
        if table.rows.isEmpty {
            screen.write(table.emptyMessage, column: x + 1, row: y + 1, role: .dim, maxWidth: width - 1)
            return
        }
        let selected = table.selectedIndex ?? 0
        let offset = max(0, min(selected - bodyHeight + 1, table.rows.count - bodyHeight))
        for (line, rowIndex) in (offset..<min(table.rows.count, offset + bodyHeight)).enumerated() {
            let row = table.rows[rowIndex]
            let isSelected = rowIndex == table.selectedIndex
            let rowRole: StyleRole = isSelected ? (focused ? .selected : .accent) : (row.role ?? .normal)
            let screenRow = y + 1 + line
            if isSelected || row.role != nil {
                screen.write(String(repeating: " ", count: width), column: x, row: screenRow, role: rowRole)
            }
            var cellX = x
            for (index, columnWidth) in layout {
                guard index < row.cells.count else { break }
                let cell = row.cells[index]
                let text = cell.value.formatted(now: now, width: columnWidth, boxes: boxes).truncated(toWidth: columnWidth)
                let start = numericColumns[index] ? cellX + columnWidth - text.displayWidth : cellX
                let role: StyleRole = isSelected ? rowRole
                    : cell.role ?? (cell.value == .empty ? .dim : (cell.value.isSparkline ? .accent : rowRole))
                screen.write(text, column: start, row: screenRow, role: role, maxWidth: columnWidth)
                cellX += columnWidth + 1
            }
        }
    }

    /// The columns that fit in `width` (dropping the highest drop priority first) with their widths;
    /// flexible columns share what is left.
    static func columnLayout(_ columns: [TableColumn], width: Int) -> [(index: Int, width: Int)] {
        var shown = Array(columns.indices)
        func needed() -> Int { shown.reduce(0) { $0 + columns[$1].width } + max(0, shown.count - 1) }
        while needed() > width, let drop = shown.filter({ columns[$0].dropPriority > 0 })
            .max(by: { (columns[$0].dropPriority, $0) < (columns[$1].dropPriority, $1) }) {
            shown.removeAll { $0 == drop }
        }
        var widths = shown.map { columns[$0].width }
        let flexible = shown.indices.filter { columns[shown[$0]].flexible }
        let spare = width - needed()
        if spare > 0, !flexible.isEmpty {
            for (order, position) in flexible.enumerated() {
                widths[position] += spare / flexible.count + (order < spare % flexible.count ? 1 : 0)
            }
        } else if spare < 0, let last = widths.indices.last {
            widths[last] = max(1, widths[last] + spare)
        }
        return Array(zip(shown, widths))
    }
}

extension CellValue {
    var isSparkline: Bool {
        if case .sparkline = self { return true }
        return false
    }
}
