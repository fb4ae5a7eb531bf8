/// Draws the `?` overlay as a framed box in the middle of the screen, in the dialog role.
enum HelpRenderer {
    static func draw(_ help: HelpOverlay, into screen: inout ScreenBuffer, boxes: BoxCharacters) {
        let keyWidth = min(18, (help.entries.map(\.keys.count).max() ?? 0))
        let textWidth = help.entries.map(\.description.count).max() ?? 0
        let footer = "Esc or ? closes"
        let innerWidth = min(screen.width - 4, max(keyWidth + 2 + textWidth, help.title.count + 2, footer.count))
        let visibleEntries = min(help.entries.count, max(0, screen.height - 6))
        let boxWidth = innerWidth + 4
        let boxHeight = visibleEntries + 4
        let left = (screen.width - boxWidth) / 2
        let top = max(0, (screen.height - boxHeight) / 2)
        let horizontal = String(repeating: boxes.horizontal, count: boxWidth - 2)
        screen.write("\(boxes.topLeft)\(horizontal)\(boxes.topRight)", column: left, row: top, role: .dialog)
        screen.write(" \(help.title) ", column: left + 2, row: top, role: .dialog)
        for line in 1..<(boxHeight - 1) {
            screen.write("\(boxes.vertical)" + String(repeating: " ", count: boxWidth - 2) + "\(boxes.vertical)",
                         column: left, row: top + line, role: .dialog)
        }
        screen.write("\(boxes.bottomLeft)\(horizontal)\(boxes.bottomRight)", column: left, row: top + boxHeight - 1, role: .dialog)
        for (index, entry) in help.entries.prefix(visibleEntries).enumerated() {
            let row = top + 1 + index
            screen.write(entry.keys, column: left + 2, row: row, role: .accent, maxWidth: keyWidth)
            screen.write(entry.description, column: left + 2 + keyWidth + 2, row: row, role: .dialog,
                         maxWidth: innerWidth - keyWidth - 2)
        }
        if visibleEntries < help.entries.count {
            screen.write("… \(help.entries.count - visibleEntries) more: enlarge the terminal", column: left + 2,
                         row: top + boxHeight - 3, role: .dim, maxWidth: innerWidth)
        }
        screen.write(footer, column: left + 2, row: top + boxHeight - 2, role: .dim, maxWidth: innerWidth)
    }
}
