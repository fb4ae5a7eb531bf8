import Views
import Yams

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
    static func parse(_ yaml: String, name: String) throws(YAMLFileError) -> Theme {
        let root = try YAMLFileError.compose(yaml)
        guard let root, case .mapping(let mapping) = root else {
            // An empty file has no node and so no mark: the problem is at its start.
            throw YAMLFileError(line: root?.mark?.line ?? 1, column: root?.mark?.column,
                                 problem: "expected a mapping from style role (normal, title, …) to style")
        }
        var styles = Theme.builtInDark.styles
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key, let role = StyleRole(rawValue: scalar.string) else {
                throw YAMLFileError(at: key.mark, problem: "unknown style role \(YAMLFileError.describe(key)); the roles are "
                                     + StyleRole.allCases.map(\.rawValue).joined(separator: ", "))
            }
            styles[role] = try style(from: value, role: role)
        }
        return Theme(name: name, styles: styles)
    }

    private static func style(from node: Node, role: StyleRole) throws(YAMLFileError) -> Style {
        if node.null != nil { return Style() }
        guard case .mapping(let mapping) = node else {
            throw YAMLFileError(at: node.mark, problem: "the style of '\(role.rawValue)' must be a mapping with "
                                 + styleKeys.joined(separator: ", ") + ", not \(YAMLFileError.describe(node))")
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
                throw YAMLFileError(at: key.mark, problem: "unknown style key \(YAMLFileError.describe(key)) in '\(role.rawValue)'; "
                                     + "a style has " + styleKeys.joined(separator: ", "))
            }
        }
        return style
    }

    private static func color(from node: Node, key: String) throws(YAMLFileError) -> ThemeColor? {
        if node.null != nil { return nil }
        guard case .scalar(let scalar) = node else {
            throw YAMLFileError(at: node.mark, problem: "\(key) must be a colour name or 0–255, not \(YAMLFileError.describe(node))")
        }
        let text = scalar.string
        if let number = Int(text) {
            guard let index = UInt8(exactly: number) else {
                throw YAMLFileError(at: node.mark, problem: "colour index \(text) is out of range 0–255")
            }
            return .indexed(index)
        }
        guard let named = NamedColor(rawValue: text) else {
            throw YAMLFileError(at: node.mark, problem: "unknown colour '\(text)' for \(key); use 0–255 or one of "
                                 + NamedColor.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return .named(named)
    }

    private static func flag(from node: Node, key: String) throws(YAMLFileError) -> Bool {
        guard let value = node.bool else {
            throw YAMLFileError(at: node.mark, problem: "\(key) must be true or false, not \(YAMLFileError.describe(node))")
        }
        return value
    }
}
