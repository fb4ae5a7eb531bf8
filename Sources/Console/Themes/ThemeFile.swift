import Views
import Yams

/// What is wrong with a theme file, and where: a line and column (counted from 1) when known.
struct ThemeFileError: Error, Equatable {
    var line: Int?
    var column: Int?
    var problem: String

    /// The problem as `path:line:column: problem`, the shape compilers use and editors can jump to.
    func message(path: String) -> String {
        let location = [line, line == nil ? nil : column].compactMap { $0.map(String.init) }
        return ([path] + location).joined(separator: ":") + ": " + problem
    }
}

/// The theme file format (`themes/README.md`): a YAML mapping from style role to style.
///
/// ```yaml
/// title:    { fg: black, bg: 38, bold: true }
/// selected: { fg: 231, bg: 26 }
/// ```
/// Roles the file leaves out take ``Theme/builtInDark``'s style.
enum ThemeFile {
    /// The keys a style may have.
    static let styleKeys = ["fg", "bg", "bold", "dim", "underline", "reverse"]

    /// Reads a theme from YAML text; `name` becomes the theme's name.
    static func parse(_ yaml: String, name: String) throws(ThemeFileError) -> Theme {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw Self.error(from: error, in: yaml)
        } catch {
            throw ThemeFileError(problem: "\(error)")
        }
        guard let root, case .mapping(let mapping) = root else {
            // An empty file has no node and so no mark: the problem is at its start.
            throw ThemeFileError(line: root?.mark?.line ?? 1, column: root?.mark?.column,
                                 problem: "expected a mapping from style role (normal, title, …) to style")
        }
        var styles = Theme.builtInDark.styles
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, let role = StyleRole(rawValue: scalar.string) else {
                throw ThemeFileError(at: key.mark, problem: "unknown style role \(describe(key)); the roles are "
                                     + StyleRole.allCases.map(\.rawValue).joined(separator: ", "))
            }
            styles[role] = try style(from: value, role: role)
        }
        return Theme(name: name, styles: styles)
    }

    private static func style(from node: Node, role: StyleRole) throws(ThemeFileError) -> Style {
        if node.null != nil { return Style() }
        guard case .mapping(let mapping) = node else {
            throw ThemeFileError(at: node.mark, problem: "the style of '\(role.rawValue)' must be a mapping with "
                                 + styleKeys.joined(separator: ", ") + ", not \(describe(node))")
        }
        var style = Style()
        for (key, value) in mapping {
            switch key.string {
            case "fg": style.foreground = try color(from: value, key: "fg")
            case "bg": style.background = try color(from: value, key: "bg")
            case "bold": style.bold = try flag(from: value, key: "bold")
            case "dim": style.dim = try flag(from: value, key: "dim")
            case "underline": style.underline = try flag(from: value, key: "underline")
            case "reverse": style.reverse = try flag(from: value, key: "reverse")
            default:
                throw ThemeFileError(at: key.mark, problem: "unknown style key \(describe(key)) in '\(role.rawValue)'; "
                                     + "a style has " + styleKeys.joined(separator: ", "))
            }
        }
        return style
    }

    private static func color(from node: Node, key: String) throws(ThemeFileError) -> ThemeColor? {
        if node.null != nil { return nil }
        guard case .scalar(let scalar) = node else {
            throw ThemeFileError(at: node.mark, problem: "\(key) must be a colour name or 0–255, not \(describe(node))")
        }
        let text = scalar.string
        if let number = Int(text) {
            guard let index = UInt8(exactly: number) else {
                throw ThemeFileError(at: node.mark, problem: "colour index \(text) is out of range 0–255")
            }
            return .indexed(index)
        }
        guard let named = NamedColor(rawValue: text) else {
            throw ThemeFileError(at: node.mark, problem: "unknown colour '\(text)' for \(key); use 0–255 or one of "
                                 + NamedColor.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return .named(named)
    }

    private static func flag(from node: Node, key: String) throws(ThemeFileError) -> Bool {
        guard let value = node.bool else {
            throw ThemeFileError(at: node.mark, problem: "\(key) must be true or false, not \(describe(node))")
        }
        return value
    }

    /// A node as an operator would name it in a message.
    private static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar) where scalar.style == .singleQuoted || scalar.style == .doubleQuoted:
            "the quoted text '\(scalar.string)'"
        case .scalar(let scalar): "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// Turns a Yams error into a located problem.
    private static func error(from error: YamlError, in yaml: String) -> ThemeFileError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            return ThemeFileError(at: mark, problem: "invalid YAML: \(problem)\(during)")
        case .reader(let problem, let offset, _, _):
            let position = offset.map { lineAndColumn(ofCharacter: $0, in: yaml) }
            return ThemeFileError(line: position?.line, column: position?.column, problem: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ThemeFileError(at: context.mark, problem: "duplicate key "
                                  + duplicates.map { "'\($0)'" }.joined(separator: ", "))
        default:
            return ThemeFileError(problem: "invalid YAML: \(error)")
        }
    }

    /// The line and column (from 1) of the character at `offset`.
    private static func lineAndColumn(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for character in text.prefix(offset) {
            if character.isNewline { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }
}

extension ThemeFileError {
    /// A problem at a Yams mark (a node's position, or where the parser gave up); Yams uses line 0
    /// when it has no position.
    init(at mark: Mark?, problem: String) {
        let known = mark.flatMap { $0.line > 0 ? $0 : nil }
        self.init(line: known?.line, column: known?.column, problem: problem)
    }
}
