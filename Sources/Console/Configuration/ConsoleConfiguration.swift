import Foundation
import Views
import Yams

/// The console's configuration file: key bindings and thresholds.
///
/// ```yaml
/// # ~/.config/market-console/config.yaml
/// keys:                 # command: key, or a list of keys; replaces that command's default keys
///   move-down: [j, down]
///   action-cancel: x
/// thresholds:
///   lock-age: 10s       # held longer → warning, 3× → critical
///   ttl-share: 0.25     # lease left below this share → warning, under 1 s → critical
///   transfer-age: 2m    # pending longer → warning, 2× → critical
///   transaction-age: 30s
/// ```
struct ConsoleConfiguration: Sendable {
    var keyMap = KeyMap.standard
    var thresholds = Thresholds()

    /// `--config`, else `$XDG_CONFIG_HOME/market-console/config.yaml`, else `~/.config/…`; a missing
    /// default file is fine, a missing named one is a problem. On any problem: the defaults and the
    /// problem as `path:line:column: problem`.
    static func load(path: String?, environment: [String: String]) -> (ConsoleConfiguration, problem: String?) {
        let file = path ?? defaultPath(environment: environment)
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            return (ConsoleConfiguration(), path == nil ? nil : "\(TerminalText.sanitized(file)): cannot read the configuration file")
        }
        do {
            return (try parse(text), nil)
        } catch {
            return (ConsoleConfiguration(), error.message(path: file) + "; using the defaults")
        }
    }

    static func defaultPath(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/market-console/config.yaml"
    }

    static func parse(_ yaml: String) throws(YAMLFileError) -> ConsoleConfiguration {
        var configuration = ConsoleConfiguration()
        guard let root = try YAMLFileError.compose(yaml) else { return configuration }
        guard case .mapping(let sections) = root else {
            throw YAMLFileError(at: root.mark, problem: "expected a mapping with keys: and thresholds:")
        }
        for (key, value) in sections {
            switch key.string {
            case "keys": configuration.keyMap = try keyMap(from: value)
            case "thresholds": configuration.thresholds = try thresholds(from: value)
            default: throw YAMLFileError(at: key.mark, problem: "unknown section \(YAMLFileError.describe(key)); the sections are keys, thresholds")
            }
        }
        return configuration
    }

    private static func keyMap(from node: Node) throws(YAMLFileError) -> KeyMap {
        guard case .mapping(let mapping) = node else { throw YAMLFileError(at: node.mark, problem: "keys: must map commands to keys") }
        var map = KeyMap.standard
        for (name, value) in mapping {
            guard let command = DashboardCommand(configName: name.string ?? "") else {
                throw YAMLFileError(at: name.mark, problem: "unknown command \(YAMLFileError.describe(name)); the commands are "
                                    + DashboardCommand.allConfigNames.joined(separator: ", "))
            }
            let keyNodes: [Node] = if case .sequence(let list) = value { Array(list) } else { [value] }
            var keys: [Key] = []
            for keyNode in keyNodes {
                guard let key = Key(configName: keyNode.string ?? "") else {
                    throw YAMLFileError(at: keyNode.mark, problem: "unknown key \(YAMLFileError.describe(keyNode)); use a character, "
                                        + "ctrl-LETTER, or one of " + Key.namedConfigKeys.joined(separator: ", "))
                }
                keys.append(key)
            }
            map.rebind(command, to: keys)
        }
        if let clash = map.firstClash {
            throw YAMLFileError(at: node.mark, problem: "\(KeyMap.name(clash.key)) is bound to both \(clash.first.configName) and \(clash.second.configName)")
        }
        return map
    }

    private static func thresholds(from node: Node) throws(YAMLFileError) -> Thresholds {
        guard case .mapping(let mapping) = node else {
            throw YAMLFileError(at: node.mark, problem: "thresholds: must be a mapping")
        }
        var thresholds = Thresholds()
        for (key, value) in mapping {
            func seconds() throws(YAMLFileError) -> TimeInterval {
                guard let text = value.string, let seconds = DashboardModel.parseDuration(text), seconds > 0 else {
                    throw YAMLFileError(at: value.mark, problem: "\(key.string ?? "") must be a duration like 10s, 2m or 1h")
                }
                return seconds
            }
            switch key.string {
            case "lock-age": thresholds.lockAge = try seconds()
            case "transfer-age": thresholds.transferAge = try seconds()
            case "transaction-age": thresholds.transactionAge = try seconds()
            case "ttl-share":
                guard let share = value.string.flatMap(Double.init), share > 0, share < 1 else {
                    throw YAMLFileError(at: value.mark, problem: "ttl-share must be a number between 0 and 1, e.g. 0.25")
                }
                thresholds.ttlShare = share
            default:
                throw YAMLFileError(at: key.mark, problem: "unknown threshold \(YAMLFileError.describe(key)); "
                                    + "the thresholds are lock-age, ttl-share, transfer-age, transaction-age")
            }
        }
        return thresholds
    }
}
