import Views
import Yams

/// What is wrong with a YAML file (a theme, the console's configuration), and where: a line and
/// column (counted from 1) when known.
struct YAMLFileError: Error, Equatable {
    var line: Int?
    var column: Int?
    var problem: String

    init(line: Int? = nil, column: Int? = nil, problem: String) {
        self.line = line
        self.column = column
        self.problem = problem
    }

    /// A problem at a Yams mark (a node's position, or where the parser gave up); Yams uses line 0
    /// when it has no position.
    init(at mark: Mark?, problem: String) {
        let known = mark.flatMap { $0.line > 0 ? $0 : nil }
        self.init(line: known?.line, column: known?.column, problem: problem)
    }

    /// The problem as `path:line:column: problem`, the shape compilers use and editors can jump to;
    /// sanitised (``TerminalText``), since it quotes the file and goes to a terminal.
    func message(path: String) -> String {
        let location = [line, line == nil ? nil : column].compactMap { $0.map(String.init) }
        return TerminalText.sanitized(([path] + location).joined(separator: ":") + ": " + problem)
    }

    /// Parses `yaml` into its root node, with a located problem for invalid YAML.
    static func compose(_ yaml: String) throws(YAMLFileError) -> Node? {
        do {
            return try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw YAMLFileError(error, in: yaml)
        } catch {
            throw YAMLFileError(problem: "\(error)")
        }
    }

    /// A node as an operator would name it in a message.
    static func describe(_ node: Node) -> String {
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
    init(_ error: YamlError, in yaml: String) {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let during = context.map { " (\($0.text) at \($0.mark.line):\($0.mark.column))" } ?? ""
            self.init(at: mark, problem: "invalid YAML: \(problem)\(during)")
        case .reader(let problem, let offset, _, _):
            let position = offset.map { Self.lineAndColumn(ofCharacter: $0, in: yaml) }
            self.init(line: position?.line, column: position?.column, problem: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            self.init(at: context.mark, problem: "duplicate key " + duplicates.map { "'\($0)'" }.joined(separator: ", "))
        default:
            self.init(problem: "invalid YAML: \(error)")
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
