import Foundation
import MarketCore
@testable import MarketEmbedded

/// A terminal program run in a detached tmux session on a private tmux server, driven the way a
/// person would: keys in with `send-keys`, the screen out with `capture-pane`.
final class TmuxSession {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let socket: String
    let name = "console"
    /// A state directory of this session's own (`XDG_STATE_HOME`), removed with it, unless the
    /// caller passed one: the console remembers views and sorts there, and one test's must not
    /// leak into the next.
    private let ownStateHome: String?

    /// Starts `command` (argv) in a `width`×`height` window with `environment` set.
    init(command: [String], environment: [String: String], width: Int = 120, height: Int = 40) throws {
        socket = "mc-e2e-\(UUID().uuidString.prefix(8))"
        var environment = environment
        if environment["XDG_STATE_HOME"] == nil {
            let stateHome = NSTemporaryDirectory() + socket + "-state"
            environment["XDG_STATE_HOME"] = stateHome
            ownStateHome = stateHome
        } else {
            ownStateHome = nil
        }
        let env = environment.flatMap { ["-e", "\($0.key)=\($0.value)"] }
        let shellCommand = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // Keep the window after the program exits, so its exit status can be read.
        try tmuxNow(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)"] + env
                 + ["sh", "-c", shellCommand + "; echo \"EXIT=$?\"; sleep 60"])
    }

    deinit {
        _ = try? tmuxNow(["kill-server"])
        if let ownStateHome { try? FileManager.default.removeItem(atPath: ownStateHome) }
    }

    /// Types keys: tmux key names (`Enter`, `Escape`, `Down`) or literal text.
    func send(_ keys: String...) async throws {
        try await tmux(["send-keys", "-t", name] + keys)
    }

    /// Types `text` literally.
    func type(_ text: String) async throws {
        try await tmux(["send-keys", "-t", name, "-l", text])
    }

    /// The screen as text.
    func screen() async throws -> String {
        try await tmux(["capture-pane", "-p", "-t", name])
    }

    /// Waits until the screen shows `text` (or satisfies `predicate`), up to `timeout`; returns the screen.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(30)) async throws -> String {
        try await waitUntil("the screen to show \"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    @discardableResult
    func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ predicate: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var last = ""
        while ContinuousClock.now < deadline {
            last = try await screen()
            if predicate(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out waiting for \(what); the screen was:\n\(last)")
    }

    /// Runs one tmux command on this session's server, on a thread of its own (a blocked
    /// cooperative thread would stall the other tests on these 2-core machines).
    @discardableResult
    private func tmux(_ arguments: [String]) async throws -> String {
        let socket = socket
        let result = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: Self.runTmux(socket: socket, arguments)) }
        }
        guard result.succeeded else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed: \(result.summary)")
        }
        return result.output
    }

    /// Through ``ChildProcessRunner``, not Foundation's `Process`: the tmux server the first
    /// command forks would inherit `Process`'s exit-watching socket, and `waitUntilExit` would
    /// wait for the server to end.
    private static func runTmux(socket: String, _ arguments: [String]) -> ChildProcessResult {
        ChildProcessRunner.run("/usr/bin/tmux", ["-L", socket] + arguments, timeout: 10)
    }

    /// Synchronous variant for start-up and `deinit`.
    @discardableResult
    private func tmuxNow(_ arguments: [String]) throws -> String {
        let result = Self.runTmux(socket: socket, arguments)
        guard result.succeeded else {
            throw Failure(description: "tmux \(arguments.joined(separator: " ")) failed: \(result.summary)")
        }
        return result.output
    }
}
