/// One of the sixteen colours every colour terminal names; its raw value is the name theme files use.
///
/// The first eight are the basic colours all colour terminals have; the `bright-` ones are indices
/// 8–15 of the terminal's palette.
public enum NamedColor: String, Sendable, CaseIterable, Hashable {
    case black, red, green, yellow, blue, magenta, cyan, white
    case brightBlack = "bright-black"
    case brightRed = "bright-red"
    case brightGreen = "bright-green"
    case brightYellow = "bright-yellow"
    case brightBlue = "bright-blue"
    case brightMagenta = "bright-magenta"
    case brightCyan = "bright-cyan"
    case brightWhite = "bright-white"

    /// The colour's index in the terminal's palette (0–15).
    public var index: UInt8 {
        UInt8(Self.allCases.firstIndex(of: self)!)
    }

    /// The colour without its brightness: `bright-red` is `red`; a basic colour is itself.
    public var basic: NamedColor {
        Self.allCases[Int(index % 8)]
    }

    /// The eight basic colours, in palette order.
    public static let basicColors = Array(allCases.prefix(8))
}

/// A colour in a theme: a named terminal colour or an index into xterm's 256-colour palette.
public enum ThemeColor: Sendable, Hashable {
    /// One of the sixteen named colours, drawn as the terminal's own palette shows it.
    case named(NamedColor)
    /// An xterm 256-colour index: 0–15 the named colours, 16–231 a 6×6×6 colour cube,
    /// 232–255 a ramp of greys.
    case indexed(UInt8)

    /// The index in xterm's 256-colour palette.
    public var index: UInt8 {
        switch self {
        case .named(let color): color.index
        case .indexed(let index): index
        }
    }

    /// The nearest of the eight basic colours, for terminals with fewer than 256 colours.
    ///
    /// Indices 0–15 keep their name (bright ones lose their brightness). The others are compared by
    /// hue, which keeps a dark red a red and a pale blue a blue where plain RGB distance would turn
    /// them black or white: a colour with little chroma (under 64 of 255) is a grey and becomes
    /// black or white by its lightness; any other takes the basic colour nearest its hue.
    public var nearestBasic: NamedColor {
        let index = self.index
        if index < 16 { return NamedColor.allCases[Int(index)].basic }
        let (red, green, blue) = Self.rgb(ofIndex: index)
        let maximum = max(red, green, blue), minimum = min(red, green, blue)
        let chroma = maximum - minimum
        guard chroma >= 64 else { return (maximum + minimum) / 2 >= 128 ? .white : .black }
        let hue: Double  // degrees, 0 = red
        switch maximum {
        case red: hue = 60 * Double(green - blue) / Double(chroma)
        case green: hue = 60 * Double(blue - red) / Double(chroma) + 120
        default: hue = 60 * Double(red - green) / Double(chroma) + 240
        }
        // Red 0°, yellow 60°, green 120°, cyan 180°, blue 240°, magenta 300°.
        let hues: [NamedColor] = [.red, .yellow, .green, .cyan, .blue, .magenta]
        let sector = Int(((hue + 360 + 30).truncatingRemainder(dividingBy: 360)) / 60)
        return hues[sector]
    }

    /// The red, green and blue (0–255) xterm shows for a palette index of 16 or more.
    static func rgb(ofIndex index: UInt8) -> (red: Int, green: Int, blue: Int) {
        let index = Int(index)
        if index >= 232 {
            let level = 8 + 10 * (index - 232)
            return (level, level, level)
        }
        let levels = [0, 95, 135, 175, 215, 255]
        let cube = index - 16
        return (levels[cube / 36], levels[cube / 6 % 6], levels[cube % 6])
    }
}
