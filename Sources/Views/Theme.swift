/// How one ``StyleRole`` looks: colours and text attributes.
///
/// A colour left `nil` is taken from the theme's `normal` style (see ``Theme/style(for:)``); in
/// `normal` itself it means the terminal's own foreground or background.
public struct Style: Sendable, Hashable {
    public var foreground: ThemeColor?
    public var background: ThemeColor?
    public var bold: Bool
    public var dim: Bool
    public var underline: Bool
    public var reverse: Bool

    public init(foreground: ThemeColor? = nil, background: ThemeColor? = nil,
                bold: Bool = false, dim: Bool = false, underline: Bool = false, reverse: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.dim = dim
        self.underline = underline
        self.reverse = reverse
    }
}

/// A named set of styles, one for every ``StyleRole``: how the console colours the screen.
///
/// Themes live in `themes/*.yaml` (the format is described in `themes/README.md`); the console's
/// loader turns a file into a `Theme`. Roles a file leaves out take ``builtInDark``'s style, so a
/// file may restyle just a few roles.
public struct Theme: Sendable, Equatable {
    /// The theme's name: its file name without the extension (`dark` for `themes/dark.yaml`).
    public var name: String
    /// The style of each role as the theme gives it; ``style(for:)`` fills in what is left out.
    public var styles: [StyleRole: Style]

    public init(name: String, styles: [StyleRole: Style]) {
        self.name = name
        self.styles = styles
    }

    /// The style to draw `role` with.
    ///
    /// That is the theme's style for the role (``builtInDark``'s when the theme has none), with a
    /// foreground or background it leaves out taken from `normal`, so every role shares the
    /// theme's background unless it sets its own. Attributes are never inherited.
    public func style(for role: StyleRole) -> Style {
        var style = ownStyle(for: role)
        if role != .normal {
            let normal = ownStyle(for: .normal)
            style.foreground = style.foreground ?? normal.foreground
            style.background = style.background ?? normal.background
        }
        return style
    }

    private func ownStyle(for role: StyleRole) -> Style {
        styles[role] ?? Self.builtInDark.styles[role] ?? Style()
    }

    /// The default theme, the same as `themes/dark.yaml`: used when no theme file can be read.
    ///
    /// Made for a dark terminal: text and background stay the terminal's own, bars and row
    /// flashes are coloured, and every colour still reads when reduced to eight.
    public static let builtInDark = Theme(name: "dark", styles: [
        .normal: Style(),
        .title: Style(foreground: .named(.black), background: .indexed(38), bold: true),
        .header: Style(foreground: .indexed(81), bold: true),
        .border: Style(foreground: .indexed(244)),
        .dim: Style(foreground: .indexed(246)),
        .accent: Style(foreground: .indexed(177)),
        .good: Style(foreground: .indexed(114)),
        .warning: Style(foreground: .indexed(221)),
        .critical: Style(foreground: .indexed(203), bold: true),
        .selected: Style(foreground: .indexed(231), background: .indexed(26), bold: true),
        .added: Style(foreground: .named(.black), background: .indexed(114)),
        .changed: Style(foreground: .named(.black), background: .indexed(222)),
        .removed: Style(foreground: .indexed(231), background: .indexed(131)),
        .statusBar: Style(foreground: .named(.black), background: .indexed(73)),
        .keyHint: Style(foreground: .indexed(250), background: .indexed(236)),
        .dialog: Style(foreground: .indexed(255)),
        .input: Style(foreground: .indexed(231), background: .indexed(237)),
    ])
}
