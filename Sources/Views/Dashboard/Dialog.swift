/// A confirmation dialog: what will happen, the fields to fill, and the buttons.
public struct Dialog: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var label: String
        public var text: String
        public var focused: Bool
        /// Shown dim while the field is empty.
        public var placeholder: String

        public init(label: String, text: String, focused: Bool, placeholder: String = "") {
            self.label = label
            self.text = text
            self.focused = focused
            self.placeholder = placeholder
        }
    }

    public struct Button: Sendable, Equatable {
        public var label: String
        public var focused: Bool
        /// The role of the label when not focused (`.critical` for a destructive confirm).
        public var role: StyleRole

        public init(label: String, focused: Bool, role: StyleRole) {
            self.label = label
            self.focused = focused
            self.role = role
        }
    }

    public var title: String
    /// What will run, one statement per line.
    public var lines: [String]
    public var fields: [Field]
    public var buttons: [Button]
    /// Why the last confirm did not go through.
    public var problem: String?
    public var footer: String

    public init(title: String, lines: [String], fields: [Field], buttons: [Button], problem: String? = nil, footer: String = "") {
        self.title = title
        self.lines = lines
        self.fields = fields
        self.buttons = buttons
        self.problem = problem
        self.footer = footer
    }
}

/// Draws a ``Dialog`` as a framed box in the middle of the screen.
enum DialogRenderer {
    static func draw(_ dialog: Dialog, into screen: inout ScreenBuffer, boxes: BoxCharacters) {
        let controlRows = 1 + dialog.fields.count + 1 + 1 + (dialog.problem == nil ? 0 : 1) + 1
        let lines = fitted(dialog.lines, rows: screen.height - 2 - controlRows)
        let labelWidth = (dialog.fields.map(\.label.displayWidth).max() ?? 0) + 1
        let contentWidth = max(lines.map(\.displayWidth).max() ?? 0, dialog.title.displayWidth + 2, dialog.footer.displayWidth,
                               labelWidth + 30)
        let innerWidth = min(screen.width - 6, contentWidth)
        let inside = CenteredFrame.draw(title: dialog.title, innerWidth: innerWidth, innerHeight: lines.count + controlRows, into: &screen,
                                        boxes: boxes)
        let x = inside.left
        var y = inside.top
        for line in lines {
            screen.write(line, column: x, row: y, role: .dialog, maxWidth: innerWidth)
            y += 1
        }
        y += 1
        for field in dialog.fields {
            screen.write(field.label, column: x, row: y, role: .header, maxWidth: labelWidth)
            let inputWidth = innerWidth - labelWidth - 1
            // The cursor sits after the text; a long text shows its end, cut at whole graphemes.
            let shown = field.text.isEmpty && !field.focused ? field.placeholder
                : field.focused ? field.text.suffix(fittingWidth: inputWidth - 1) + "█" : field.text.truncated(toWidth: inputWidth)
            screen.write(String(repeating: " ", count: inputWidth), column: x + labelWidth + 1, row: y, role: .input)
            screen.write(shown, column: x + labelWidth + 1, row: y,
                         role: field.text.isEmpty && !field.focused ? .dim : .input, maxWidth: inputWidth)
            y += 1
        }
        y += 1
        var buttonX = x
        for button in dialog.buttons {
            let label = button.focused ? "[ \(button.label) ]" : "  \(button.label)  "
            buttonX = screen.write(label, column: buttonX, row: y, role: button.focused ? .selected : button.role) + 2
        }
        y += 1
        if let problem = dialog.problem {
            screen.write(problem, column: x, row: y, role: .critical, maxWidth: innerWidth)
            y += 1
        }
        screen.write(dialog.footer, column: x, row: y, role: .dim, maxWidth: innerWidth)
    }

    /// `lines` in at most `rows` rows: when they do not fit, the first and the last ones with a
    /// line between saying how many are hidden — the fields and buttons below always stay on screen.
    static func fitted(_ lines: [String], rows: Int) -> [String] {
        guard lines.count > rows else { return lines }
        guard rows > 1 else { return rows == 1 ? ["… \(lines.count) lines hidden: enlarge the terminal"] : [] }
        let head = (rows - 1) / 2, tail = rows - 1 - head
        return Array(lines.prefix(head)) + ["… \(lines.count - head - tail) lines hidden: enlarge the terminal to read them"]
            + Array(lines.suffix(tail))
    }
}
