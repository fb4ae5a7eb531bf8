import Foundation
import Views

/// Finds a theme by name or path and reads it; any problem comes back as a message, with the
/// built-in default theme to use instead.
///
/// A value that contains `/` or ends in `.yaml` or `.yml` is a path. Anything else is a name,
/// looked up as `NAME.yaml` (then `NAME.yml`) in ``searchDirectories(environment:currentDirectory:executablePath:)``.
enum ThemeLoader {
    /// The theme used when none is asked for.
    static let defaultName = "dark"
    /// The environment variable naming a directory of themes searched before all others.
    static let directoryVariable = "MARKET_CONSOLE_THEMES"
    /// Where an installed console keeps its themes; searched last.
    static let systemDirectory = "/usr/share/market-console/themes"

    /// Loads the theme `nameOrPath` names, or the default theme when it is nil.
    ///
    /// Returns the theme and nil, or ``Theme/builtInDark`` and a one-line problem for the operator:
    /// `path:line:column: problem` for a bad file, the available names for an unknown one. With no
    /// theme asked for and no `dark` file anywhere, the built-in theme is used without a problem.
    static func load(_ nameOrPath: String?, environment: [String: String]) -> (theme: Theme, problem: String?) {
        let request = nameOrPath ?? defaultName
        if isPath(request) {
            return load(file: NSString(string: request).expandingTildeInPath, shownAs: request)
        }
        let directories = searchDirectories(environment: environment)
        if let file = find(request, in: directories) {
            return load(file: file, shownAs: file)
        }
        if nameOrPath == nil { return (.builtInDark, nil) }
        let available = availableNames(in: directories)
        guard !available.isEmpty else {
            return (.builtInDark, "no theme named '\(TerminalText.sanitized(request))': no theme files in "
                    + directories.joined(separator: ", "))
        }
        return (.builtInDark, "no theme named '\(TerminalText.sanitized(request))'; available: " + available.joined(separator: ", "))
    }

    /// The directories a theme name is looked up in, in order: `$MARKET_CONSOLE_THEMES`,
    /// `./themes`, the nearest `themes/` above the executable (a build in `.build/release/` finds
    /// the repository's), then ``systemDirectory``. Each is listed once.
    static func searchDirectories(environment: [String: String],
                                  currentDirectory: String = FileManager.default.currentDirectoryPath,
                                  executablePath: String? = Bundle.main.executablePath) -> [String] {
        var directories: [String] = []
        if let custom = environment[directoryVariable], !custom.isEmpty {
            directories.append(custom)
        }
        directories.append(URL(fileURLWithPath: currentDirectory).appendingPathComponent("themes").path)
        if let executablePath, let nearest = nearestThemesDirectory(above: executablePath) {
            directories.append(nearest)
        }
        directories.append(systemDirectory)
        var seen = Set<String>()
        return directories.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
    }

    /// The names of the theme files in `directories`, sorted.
    static func availableNames(in directories: [String]) -> [String] {
        let names = directories.flatMap { directory in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return files.compactMap { file -> String? in
                let url = URL(fileURLWithPath: file)
                return ["yaml", "yml"].contains(url.pathExtension) ? url.deletingPathExtension().lastPathComponent : nil
            }
        }
        return Set(names).sorted()
    }

    private static func isPath(_ value: String) -> Bool {
        value.contains("/") || value.hasSuffix(".yaml") || value.hasSuffix(".yml")
    }

    private static func find(_ name: String, in directories: [String]) -> String? {
        for directory in directories {
            for candidate in ["\(name).yaml", "\(name).yml"] {
                let path = URL(fileURLWithPath: directory).appendingPathComponent(candidate).path
                if isFile(path) { return path }
            }
        }
        return nil
    }

    private static func nearestThemesDirectory(above executablePath: String) -> String? {
        var directory = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while true {
            let themes = directory.appendingPathComponent("themes")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: themes.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return themes.path
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }

    private static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Reads and parses one file; `shownAs` is the path as messages give it.
    private static func load(file path: String, shownAs shown: String) -> (theme: Theme, problem: String?) {
        let shown = TerminalText.sanitized(shown)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return (.builtInDark, "\(shown): no such theme file")
        }
        guard !isDirectory.boolValue else {
            return (.builtInDark, "\(shown): is a directory, not a theme file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return (.builtInDark, "\(shown): cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return (.builtInDark, "\(shown): not UTF-8 text")
        }
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        do {
            return (try ThemeFile.parse(text, name: name), nil)
        } catch {
            return (.builtInDark, error.message(path: shown))
        }
    }
}
