import Foundation
import MarketCore

/// Looks at other processes by pid: whether they live, what they run, and waits for them to end.
enum EmbeddedProcessProbe {
    /// Whether a process with this pid exists and is not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        // A zombie (exited, not yet reaped by its parent) still answers kill(0); /proc tells them apart on Linux.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return false }
        }
        return true
    }

    /// The command line of a process, where /proc shows it (Linux); nil elsewhere or when it is gone.
    static func commandLine(_ pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    /// Whether the live process `pid` runs a program whose command line mentions `name`.
    /// Where /proc is missing the answer is true: a live pid is then taken at its word.
    static func isRunning(_ pid: Int32, named name: String) -> Bool {
        guard isAlive(pid) else { return false }
        guard let commandLine = commandLine(pid) else { return !FileManager.default.fileExists(atPath: "/proc/self") }
        return commandLine.contains(name)
    }

    /// Waits up to `timeout` seconds for `pid` to end; true once it has.
    @discardableResult
    static func waitForExit(_ pid: Int32, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isAlive(pid) {
            if Date() >= deadline { return false }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return true
    }

    /// Ends `pid`: SIGTERM, then SIGKILL if it is still there after `grace` seconds.
    static func terminate(_ pid: Int32, grace: TimeInterval = 10) {
        guard isAlive(pid) else { return }
        _ = kill(pid, SIGTERM)
        if !waitForExit(pid, timeout: grace) {
            _ = kill(pid, SIGKILL)
            waitForExit(pid, timeout: 5)
        }
    }

    /// The pid in the first line of a pid file (PostgreSQL's postmaster.pid, Redis's pidfile), if any.
    static func pid(inFile path: String) -> Int32? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let first = text.split(whereSeparator: \.isNewline).first,
              let pid = Int32(first.trimmingCharacters(in: .whitespaces)), pid > 0
        else { return nil }
        return pid
    }
}
