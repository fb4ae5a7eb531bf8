/// The line-drawing characters a frame uses: UTF-8 box drawing, or ASCII for terminals without it.
public struct BoxCharacters: Sendable, Equatable {
    public var horizontal: Character
    public var vertical: Character
    public var topLeft: Character
    public var topRight: Character
    public var bottomLeft: Character
    public var bottomRight: Character
    public var ascending: Character
    public var descending: Character
    public var bullet: Character
    public var treeBranch: String
    public var treeLast: String
    public var treePipe: String
    /// Bar heights for sparklines, from empty to full.
    public var sparkLevels: [Character]

    public static let unicode = BoxCharacters(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘",
        ascending: "▲", descending: "▼", bullet: "●", treeBranch: "├─ ", treeLast: "└─ ", treePipe: "│  ",
        sparkLevels: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"])

    public static let ascii = BoxCharacters(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+",
        ascending: "^", descending: "v", bullet: "*", treeBranch: "|- ", treeLast: "`- ", treePipe: "|  ",
        sparkLevels: [" ", ".", ":", "-", "=", "+", "*", "#", "@"])
}
