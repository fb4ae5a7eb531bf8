/// A titled box drawn over the middle of the screen (the help overlay, dialogs): its border and
/// blank inside in the dialog role. Returns where the inside starts.
enum CenteredFrame {
    static func draw(title: String, innerWidth: Int, innerHeight: Int, into screen: inout ScreenBuffer,
                     boxes: BoxCharacters) -> (left: Int, top: Int) {
        let boxWidth = innerWidth + 4
        let boxHeight = min(screen.height, innerHeight + 2)
        let left = max(0, (screen.width - boxWidth) / 2)
        let top = max(0, (screen.height - boxHeight) / 2)
        let horizontal = String(repeating: boxes.horizontal, count: boxWidth - 2)
        screen.write("\(boxes.topLeft)\(horizontal)\(boxes.topRight)", column: left, row: top, role: .dialog)
        screen.write(" \(title) ", column: left + 2, row: top, role: .dialog)
        for line in 1..<max(1, boxHeight - 1) {
            screen.write("\(boxes.vertical)" + String(repeating: " ", count: boxWidth - 2) + "\(boxes.vertical)",
                         column: left, row: top + line, role: .dialog)
        }
        screen.write("\(boxes.bottomLeft)\(horizontal)\(boxes.bottomRight)", column: left, row: top + boxHeight - 1, role: .dialog)
        return (left + 2, top + 1)
    }
}
