import Foundation

/// Draws a detail screen: a title line, the labelled fields in one or two columns, then its table.
enum DetailRenderer {
    static func draw(_ detail: Detail, into screen: inout ScreenBuffer, top: Int, height: Int, now: Date, boxes: BoxCharacters) {
        let line = String(repeating: boxes.horizontal, count: screen.width)
        screen.write(line, column: 0, row: top, role: .border)
        screen.write(" \(detail.title) ", column: 1, row: top, role: .accent)
        let labelWidth = (detail.fields.map(\.label.displayWidth).max() ?? 0) + 1
        let columns = screen.width >= 120 && detail.fields.count > 6 ? 2 : 1
        let columnWidth = (screen.width - 2) / columns
        let rowsPerColumn = (detail.fields.count + columns - 1) / columns
        let fieldRows = min(rowsPerColumn, max(0, height - 1))
        for (index, field) in detail.fields.enumerated() {
            let column = index / max(1, rowsPerColumn)
            let row = index % max(1, rowsPerColumn)
            guard row < fieldRows else { continue }
            let x = 1 + column * columnWidth
            screen.write(field.label, column: x, row: top + 1 + row, role: .header, maxWidth: labelWidth)
            let valueWidth = columnWidth - labelWidth - 1
            let text = field.value.value.formatted(now: now, width: valueWidth, boxes: boxes).truncated(toWidth: valueWidth)
            screen.write(text, column: x + labelWidth + 1, row: top + 1 + row, role: field.value.role ?? .normal, maxWidth: valueWidth)
        }
        guard let pane = detail.table else { return }
        let tableTop = top + 1 + fieldRows + 1
        let tableHeight = top + height - tableTop
        guard tableHeight >= 3 else { return }
        PaneLayout.draw([pane], into: &screen, top: tableTop, height: tableHeight, now: now, boxes: boxes)
    }
}
