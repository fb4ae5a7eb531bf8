import Foundation
import Logging
import Synchronization

/// Where log lines go while the full-screen console is up: a file (stderr would scribble over the
/// screen), with the newest warning kept for the status line.
final class ConsoleLog: Sendable {
    /// The file the lines are appended to.
    let path: String
    private let file: FileHandle?
    private let latest = Mutex<(text: String, level: Logger.Level, at: Date)?>(nil)

    init(path: String) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        // A log that cannot be created leaves `file` nil: the console runs on without one.
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        file = FileHandle(forWritingAtPath: path)
        _ = try? file?.seekToEnd()
    }

    /// The newest warning or worse since `date`, if any.
    func latestWarning(since date: Date) -> (text: String, level: Logger.Level)? {
        latest.withLock { entry in entry.flatMap { $0.at >= date ? ($0.text, $0.level) : nil } }
    }

    /// Sends every logger of the process here. Call once, before any logger is made.
    func bootstrap() {
        LoggingSystem.bootstrap { [self] label in Handler(label: label, log: self) }
    }

    fileprivate func write(_ line: String, level: Logger.Level) {
        file?.write(Data((line + "\n").utf8))
        if level >= .warning { latest.withLock { $0 = (line, level, Date()) } }
    }

    private struct Handler: LogHandler {
        let label: String
        let log: ConsoleLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let stamp = ISO8601DateFormatter().string(from: Date())
            log.write("\(stamp) \(event.level) \(label): \(event.message)", level: event.level)
        }
    }
}
