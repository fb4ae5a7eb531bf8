/// Draws the `?` overlay as a framed box in the middle of the screen, in the dialog role.
enum HelpRenderer {
    static func draw(_ help: HelpOverlay, into screen: inout ScreenBuffer, boxes: BoxCharacters) {
        let keyWidth = min(18, (help.entries.map(\.keys.displayWidth).max() ?? 0))
        let textWidth = help.entries.map(\.description.displayWidth).max() ?? 0
        let footer = "Esc or ? closes"
        let innerWidth = min(screen.width - 4, max(keyWidth + 2 + textWidth, help.title.displayWidth + 2, footer.displayWidth))
        let visibleEntries = min(help.entries.count, max(0, screen.height - 6))
        let boxHeight = visibleEntries + 4
        let inside = CenteredFrame.draw(title: help.title, innerWidth: innerWidth, innerHeight: boxHeight - 2, into: &screen, boxes: boxes)
        let (left, top) = (inside.left - 2, inside.top - 1)
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
