import Foundation

/// Where snapshots go: standard output, or appended to a file (kept open across iterations).
enum SnapshotSink {
    case standardOutput
    case file(FileHandle)

    /// Opens `path` for appending, creating it if needed.
    static func appending(to path: String) throws -> SnapshotSink {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw UsageError("cannot create \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw UsageError("cannot write to \(path)") }
        try handle.seekToEnd()
        return .file(handle)
    }

    func write(_ text: String) throws {
        switch self {
        case .standardOutput: print(text)
        case .file(let handle): try handle.write(contentsOf: Data((text + "\n").utf8))
        }
    }
}
