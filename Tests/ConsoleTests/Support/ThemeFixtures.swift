import Foundation

/// The repository's `themes/` directory and scratch directories for theme files.
enum ThemeFixtures {
    static let shippedNames = ["dark", "light", "high-contrast", "monochrome"]

    static let themesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("themes").path

    static func shippedPath(_ name: String) -> String {
        themesDirectory + "/\(name).yaml"
    }

    /// Runs `body` with a fresh directory holding `files` (name → contents), removed afterwards.
    static func withDirectory<T>(_ files: [String: Data], _ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("themes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, contents) in files {
            try contents.write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        return try body(directory)
    }

    /// ``withDirectory(_:_:)`` with text files.
    static func withDirectory<T>(_ files: [String: String], _ body: (String) throws -> T) throws -> T {
        try withDirectory(files.mapValues { Data($0.utf8) }, body)
    }
}
