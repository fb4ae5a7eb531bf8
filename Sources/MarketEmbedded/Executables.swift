import Foundation
import MarketCore

/// Finds the programs the embedded servers need.
enum EmbeddedExecutables {
    /// Directories searched after `$PATH`, because a non-login or sudo environment may leave them out.
    static let fallbackDirectories = ["/usr/local/bin", "/usr/bin", "/bin", "/usr/local/sbin", "/usr/sbin", "/sbin", "/opt/homebrew/bin"]

    /// The absolute path of the executable `name`, looked for first in `preferring`, then in `$PATH`, then in the usual directories.
    static func find(_ name: String, preferring: [String] = []) -> String? {
        let pathDirectories = (ProcessInfo.processInfo.environment["PATH"] ?? "")
            .split(separator: ":").map(String.init).filter { !$0.isEmpty }
        for directory in preferring + pathDirectories + fallbackDirectories {
            let candidate = (directory as NSString).appendingPathComponent(name)
            if isExecutableFile(candidate) { return candidate }
        }
        return nil
    }

    /// Whether `path` is an executable regular file (following symbolic links).
    static func isExecutableFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }

    /// The directory holding PostgreSQL's server programs (initdb, pg_ctl, postgres, psql, pg_isready, createdb).
    ///
    /// With `major` (the version in an existing data directory's PG_VERSION), only that version is accepted;
    /// otherwise the highest version under /usr/lib/postgresql/*/bin wins, then /usr/local/pgsql/bin, then `$PATH`.
    static func postgresBinDirectory(major: String? = nil) -> String? {
        let required = ["initdb", "pg_ctl", "postgres", "psql", "pg_isready", "createdb"]
        func complete(_ directory: String) -> Bool {
            required.allSatisfy { isExecutableFile((directory as NSString).appendingPathComponent($0)) }
        }

        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { Double($0) != nil }
            .sorted { (Double($0) ?? 0) > (Double($1) ?? 0) }
        for version in versions where major == nil || version == major {
            let directory = "\(root)/\(version)/bin"
            if complete(directory) { return directory }
        }

        var others = ["/usr/local/pgsql/bin"]
        if let pgCtl = find("pg_ctl") { others.append((pgCtl as NSString).deletingLastPathComponent) }
        for directory in others where complete(directory) {
            if let major, postgresMajorVersion(binDirectory: directory) != major { continue }
            return directory
        }
        return nil
    }

    /// The major version ("15") that `pg_ctl --version` in `binDirectory` reports, if it can be read.
    static func postgresMajorVersion(binDirectory: String) -> String? {
        let result = ChildProcessRunner.run((binDirectory as NSString).appendingPathComponent("pg_ctl"), ["--version"], timeout: 10)
        guard result.succeeded,
              let version = result.output.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines),
              let major = version.split(separator: ".").first
        else { return nil }
        return String(major)
    }
}
