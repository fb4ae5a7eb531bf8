/// Renders a ``DashboardState`` into a ``ScreenBuffer``:
///
/// ```
/// row 0        title bar: product and view tabs
/// row 1        status bar: servers, lock mode, refresh age; the operator on the right
/// rows 2…h-3   the view's panes (or a detail screen), each a title line and a table
/// row h-2      the command line, the filter being typed, or a message
/// row h-1      key hints
/// ```
/// The help overlay and a confirmation dialog, when open, are drawn over the middle.
public enum DashboardScreen {
    /// The smallest terminal the dashboard lays out in; below it a message asks for more room.
    public static let minimumSize = (width: 60, height: 16)

    public static func render(_ state: DashboardState, width: Int, height: Int) -> ScreenBuffer {
        var screen = ScreenBuffer(width: width, height: height)
        guard width >= minimumSize.width, height >= minimumSize.height else {
            drawTooSmall(into: &screen)
            return screen
        }
        drawTitleBar(state, into: &screen)
        drawStatusBar(state, into: &screen)
        let area = (top: 2, height: height - 4)
        if let detail = state.detail {
            DetailRenderer.draw(detail, into: &screen, top: area.top, height: area.height, now: state.now, boxes: state.boxes)
        } else {
            PaneLayout.draw(state.panes, into: &screen, top: area.top, height: area.height, now: state.now, boxes: state.boxes)
        }
        drawInputOrMessage(state, into: &screen, row: height - 2)
        drawKeyHints(state.keyHints, into: &screen, row: height - 1)
        if let help = state.help { HelpRenderer.draw(help, into: &screen, boxes: state.boxes) }
        if let dialog = state.dialog { DialogRenderer.draw(dialog, into: &screen, boxes: state.boxes) }
        return screen
    }

    private static func drawTooSmall(into screen: inout ScreenBuffer) {
        let lines = ["terminal \(screen.width)×\(screen.height) is too small",
                     "enlarge to \(minimumSize.width)×\(minimumSize.height)", "q quits"]
        for (index, line) in lines.enumerated() {
            let row = screen.height / 2 - 1 + index
            screen.write(line, column: max(0, (screen.width - line.displayWidth) / 2), row: row, role: index == 0 ? .warning : .normal)
        }
    }

    private static func drawTitleBar(_ state: DashboardState, into screen: inout ScreenBuffer) {
        screen.fill(row: 0, role: .title)
        var x = screen.write(" market-console ", column: 0, row: 0, role: .title)
        for (index, tab) in state.tabs.enumerated() {
            let active = index == state.activeTab && state.detail == nil
            x = screen.write(active ? "[\(tab)]" : " \(tab) ", column: x, row: 0, role: active ? .accent : .title)
        }
    }

    /// Health and refresh on the left; who is at the keyboard on the right, always shown.
    private static func drawStatusBar(_ state: DashboardState, into screen: inout ScreenBuffer) {
        screen.fill(row: 1, role: .statusBar)
        let identity = state.identity.isEmpty ? "" : " " + state.identity + " "
        let limit = screen.width - identity.displayWidth - 1
        var x = 1
        for item in state.status {
            guard x < limit else { break }
            x = screen.write(item.text, column: x, row: 1, role: item.role, maxWidth: limit - x) + 2
        }
        if !identity.isEmpty { screen.write(identity, column: max(0, screen.width - identity.displayWidth), row: 1, role: .accent) }
    }

    private static func drawInputOrMessage(_ state: DashboardState, into screen: inout ScreenBuffer, row: Int) {
        if let input = state.input {
            screen.fill(row: row, role: .input)
            // A line longer than the screen shows its end, where the cursor is.
            let end = screen.write((input.prompt + input.text).suffix(fittingWidth: screen.width - 1), column: 0, row: row, role: .input)
            screen.write("█", column: end, row: row, role: .input)
            if !input.completions.isEmpty {
                screen.write("  " + input.completions.joined(separator: "  "), column: end + 1, row: row, role: .dim)
            }
        } else if let message = state.message {
            screen.write(message.text, column: 1, row: row, role: message.role, maxWidth: screen.width - 1)
        }
    }

    private static func drawKeyHints(_ hints: [KeyHint], into screen: inout ScreenBuffer, row: Int) {
        screen.fill(row: row, role: .keyHint)
        var x = 0
        for hint in hints {
            let text = " \(hint.key) \(hint.label) "
            guard x + text.displayWidth <= screen.width else { break }
            x = screen.write(text, column: x, row: row, role: .keyHint)
        }
    }
}
