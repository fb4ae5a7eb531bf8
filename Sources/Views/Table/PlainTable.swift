import Foundation

/// A ``Table`` as plain text for pipes and logs: every column, each as many terminal columns wide
/// as its widest cell, no colours and no truncation. Text is sanitised (``TerminalText``): the
/// output holds no control or bidi character but the newlines between rows.
public enum PlainTable {
    /// A row's cells as shown (sanitised), uncut (for CSV and plain tables).
    public static func cells(of row: TableRow, now: Date) -> [String] {
        row.cells.map { $0.value.formatted(now: now, width: 60, boxes: .ascii) }
    }

    /// A row's cells exactly as the data holds them, uncut and unescaped (for CSV).
    public static func values(of row: TableRow, now: Date) -> [String] {
        row.cells.map { $0.value.value(now: now, width: 60, boxes: .ascii) }
    }

    public static func render(_ table: Table, now: Date) -> String {
        let cells = table.rows.map { Self.cells(of: $0, now: now) }
        let titles = table.columns.map { TerminalText.sanitized($0.title) }
        let widths = table.columns.indices.map { index in
            max(titles[index].displayWidth, cells.map { $0.indices.contains(index) ? $0[index].displayWidth : 0 }.max() ?? 0)
        }
        func line(_ values: [String], numeric: [Bool]) -> String {
            var parts: [String] = []
            for (index, width) in widths.enumerated() {
                let value = values.indices.contains(index) ? values[index] : ""
                let padding = String(repeating: " ", count: max(0, width - value.displayWidth))
                parts.append(numeric[index] ? padding + value : value + padding)
            }
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        let numericColumns = table.columns.indices.map { index in
            table.rows.first.map { $0.cells.indices.contains(index) && $0.cells[index].value.isNumeric } ?? false
        }
        var lines = [line(titles, numeric: numericColumns)]
        for (row, values) in zip(table.rows, cells) {
            lines.append(line(values, numeric: row.cells.map(\.value.isNumeric) + Array(repeating: false, count: max(0, widths.count - row.cells.count))))
        }
        if table.rows.isEmpty { lines.append("(\(TerminalText.sanitized(table.emptyMessage)))") }
        return lines.joined(separator: "\n")
    }
}
