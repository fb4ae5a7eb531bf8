import CNCurses
import Views

/// How many colours the console may use on this terminal.
enum ColorSupport: Equatable {
    /// None: `NO_COLOR` is set or the terminal has no colours. Text attributes only.
    case none
    /// Eight to 255 colours: every colour is reduced to the nearest of the eight basic ones.
    case basic
    /// 256 colours or more: colours are drawn as the theme gives them.
    case indexed

    /// The support for a terminal that reports `colors` colours (ncurses' `COLORS`).
    init(colors: Int) {
        self = colors >= 256 ? .indexed : colors >= 8 ? .basic : .none
    }

    /// Whether `NO_COLOR` (its value in the environment) asks for no colours: any non-empty value
    /// does, as https://no-color.org says.
    static func noColorRequested(_ value: String?) -> Bool {
        !(value ?? "").isEmpty
    }
}

/// Turns a ``Theme`` into the attributes ncurses draws each ``StyleRole`` with.
///
/// In two steps, so the decisions can be tested without a terminal: ``plan(_:support:)`` decides
/// the colour pairs and attributes, ``install(_:environment:)`` asks the terminal what it can do
/// and makes the pairs.
enum TerminalPalette {
    /// Bold, dim, underline and reverse: what a role keeps when colours are off.
    struct TextAttributes: OptionSet, Hashable {
        let rawValue: UInt8
        static let bold = TextAttributes(rawValue: 1)
        static let dim = TextAttributes(rawValue: 2)
        static let underline = TextAttributes(rawValue: 4)
        static let reverse = TextAttributes(rawValue: 8)

        init(rawValue: UInt8) { self.rawValue = rawValue }

        init(_ style: Style) {
            self = []
            if style.bold { insert(.bold) }
            if style.dim { insert(.dim) }
            if style.underline { insert(.underline) }
            if style.reverse { insert(.reverse) }
        }
    }

    /// A foreground and background as ncurses colour numbers; -1 is the terminal's own colour.
    struct ColorPair: Hashable {
        var foreground: Int16
        var background: Int16
    }

    /// How one role is drawn: its attributes and colour pair (0: the terminal's own colours).
    struct Look: Equatable {
        var attributes: TextAttributes
        var pair: Int16
    }

    /// The colour pairs to make and the look of every role.
    struct Plan: Equatable {
        /// Pair `n` is `pairs[n - 1]`; roles with the same colours share a pair.
        var pairs: [ColorPair]
        var looks: [StyleRole: Look]
    }

    /// What a role that relies on colour gets when colours are off, added to its own attributes
    /// so that a selection, a bar or a row flash stays visible. The same as `themes/monochrome.yaml`.
    static let monochromeFallback: [StyleRole: TextAttributes] = [
        .title: [.bold, .reverse],
        .header: [.bold, .underline],
        .border: .dim,
        .dim: .dim,
        .accent: .bold,
        .warning: .bold,
        .critical: [.bold, .reverse],
        .selected: .reverse,
        .added: .bold,
        .changed: .underline,
        .removed: .dim,
        .statusBar: .reverse,
        .keyHint: .reverse,
        .dialog: .bold,
        .input: .underline,
    ]

    /// Decides how every role of `theme` is drawn with `support`.
    ///
    /// - `.none`: the theme's attributes; a role whose colours differ from `normal`'s also gets
    ///   its ``monochromeFallback``.
    /// - `.basic`: colours reduced with ``ThemeColor/nearestBasic``; where that would draw text in
    ///   its own background colour, the text becomes black or white instead.
    /// - `.indexed`: colours as given.
    static func plan(_ theme: Theme, support: ColorSupport) -> Plan {
        let normal = theme.style(for: .normal)
        var pairs: [ColorPair] = []
        var looks: [StyleRole: Look] = [:]
        for role in StyleRole.allCases {
            let style = theme.style(for: role)
            var attributes = TextAttributes(style)
            var pair: Int16 = 0
            if support == .none {
                if style.foreground != normal.foreground || style.background != normal.background {
                    attributes.formUnion(monochromeFallback[role] ?? [])
                }
            } else {
                let colors = colorPair(style, support: support)
                if colors != ColorPair(foreground: -1, background: -1) {
                    if let index = pairs.firstIndex(of: colors) {
                        pair = Int16(index + 1)
                    } else {
                        pairs.append(colors)
                        pair = Int16(pairs.count)
                    }
                }
            }
            looks[role] = Look(attributes: attributes, pair: pair)
        }
        return Plan(pairs: pairs, looks: looks)
    }

    private static func colorPair(_ style: Style, support: ColorSupport) -> ColorPair {
        func number(_ color: ThemeColor?) -> Int16 {
            guard let color else { return -1 }
            return Int16(support == .indexed ? color.index : color.nearestBasic.index)
        }
        var pair = ColorPair(foreground: number(style.foreground), background: number(style.background))
        if support == .basic, pair.foreground != -1, pair.foreground == pair.background,
           style.foreground?.index != style.background?.index {
            let black = Int16(NamedColor.black.index), white = Int16(NamedColor.white.index)
            pair.foreground = pair.background == black ? white : black
        }
        return pair
    }

    /// Starts colours as far as the terminal and `NO_COLOR` allow, makes the colour pairs of
    /// `theme`'s plan, paints the window background in `normal`'s colours, and returns each role's
    /// attributes. Call once, after `initscr`.
    static func install(_ theme: Theme, environment: [String: String]) -> [StyleRole: attr_t] {
        var support = ColorSupport.none
        if !ColorSupport.noColorRequested(environment["NO_COLOR"]), has_colors(), start_color() != ERR {
            support = ColorSupport(colors: Int(cncurses_colors()))
        }
        var plan = Self.plan(theme, support: support)
        if plan.pairs.count >= Int(cncurses_color_pairs()) {
            plan = Self.plan(theme, support: .none)
        }
        if !plan.pairs.isEmpty {
            // Without default colours, -1 cannot be used: take white on black for the terminal's own.
            let defaults = use_default_colors() != ERR
            for (index, pair) in plan.pairs.enumerated() {
                init_pair(Int16(index + 1),
                          pair.foreground == -1 && !defaults ? Int16(COLOR_WHITE) : pair.foreground,
                          pair.background == -1 && !defaults ? Int16(COLOR_BLACK) : pair.background)
            }
        }
        var attributes: [StyleRole: attr_t] = [:]
        for (role, look) in plan.looks {
            var value = cncurses_a_normal()
            if look.attributes.contains(.bold) { value |= cncurses_a_bold() }
            if look.attributes.contains(.dim) { value |= cncurses_a_dim() }
            if look.attributes.contains(.underline) { value |= cncurses_a_underline() }
            if look.attributes.contains(.reverse) { value |= cncurses_a_reverse() }
            if look.pair > 0 { value |= attr_t(cncurses_color_pair(Int32(look.pair))) }
            attributes[role] = value
        }
        // Erased cells (and the bottom-right one, which is never drawn) take normal's colours; only
        // the pair, since the background's attributes would be added to every character.
        if let normalPair = plan.looks[.normal]?.pair, normalPair > 0 {
            wbkgd(cncurses_stdscr(), chtype(cncurses_color_pair(Int32(normalPair))) | chtype(UInt8(ascii: " ")))
        }
        return attributes
    }
}
