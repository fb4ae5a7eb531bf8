import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import TestSupport
import Testing

/// A PostgreSQL primary, its streaming standby and PgBouncer in transaction mode, started by
/// `scripts/ha-postgres.sh` for one test and stopped after it on every path.
struct HAPostgres {
    /// The primary, the standby, both in a multi-host URL with `target_session_attrs=read-write`,
    /// and PgBouncer in front of the primary (with `pooler=transaction`).
    let primary: String
    let standby: String
    let failover: String
    let pgbouncer: String
    private let environmentFile: String

    /// Starts the servers, runs `body`, stops them. Records an issue when the test servers' Redis
    /// (REDIS_URL) is not set, and runs nothing.
    static func with(_ body: (HAPostgres, _ redis: String) async throws -> Void) async throws {
        try await HeavyTestGate.run {
            guard let redis = ProcessInfo.processInfo.environment["REDIS_URL"] else {
                Issue.record("REDIS_URL is not set: run the tests with scripts/test.sh")
                return
            }
            let file = NSTemporaryDirectory() + "market-console-ha-\(UUID().uuidString).env"
            let started = await script("start", environmentFile: file)
            guard started.succeeded else {
                _ = await script("stop", environmentFile: file)
                throw TmuxSession.Failure(description: "scripts/ha-postgres.sh start failed: \(started.summary)")
            }
            do {
                let harness = try HAPostgres(environmentFile: file)
                try await body(harness, redis)
            } catch {
                _ = await script("stop", environmentFile: file)
                throw error
            }
            _ = await script("stop", environmentFile: file)
        }
    }

    private init(environmentFile: String) throws {
        self.environmentFile = environmentFile
        let text = try String(contentsOfFile: environmentFile, encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            values[String(pair[0])] = String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        func value(_ name: String) throws -> String {
            guard let value = values[name] else { throw TmuxSession.Failure(description: "\(name) missing from \(environmentFile)") }
            return value
        }
        primary = try value("HA_PRIMARY_URL")
        standby = try value("HA_STANDBY_URL")
        failover = try value("HA_FAILOVER_URL")
        pgbouncer = try value("HA_PGBOUNCER_URL")
    }

    /// Runs `scripts/ha-postgres.sh command` (`stop-primary`, `promote`, `restart-pgbouncer`).
    func run(_ command: String) async throws {
        let result = await Self.script(command, environmentFile: environmentFile)
        guard result.succeeded else {
            throw TmuxSession.Failure(description: "scripts/ha-postgres.sh \(command) failed: \(result.summary)")
        }
    }

    private static func script(_ command: String, environmentFile: String) async -> ChildProcessResult {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/ha-postgres.sh").path
        return await ChildProcessRunner.runOffThePool("/bin/bash", [path, command], environment: ["HA_POSTGRES_ENV": environmentFile], timeout: 180)
    }

    /// `url` with `database` in place of its database name (the query string kept).
    static func url(_ url: String, database: String) -> String {
        guard let slash = url.range(of: "/", options: .backwards) else { return url }
        let rest = url[slash.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        return String(url[..<slash.upperBound]) + database + query
    }
}

/// The `market-console` binary run by a test: in the foreground with its output returned, or in
/// the background with its output in a file the test reads as it grows.
enum ConsoleProcess {
    /// Runs a command to its end.
    static func run(_ arguments: [String], environment: [String: String], timeout: TimeInterval = 120) async throws -> ChildProcessResult {
        await ChildProcessRunner.runOffThePool(try ConsoleEndToEndTests.consoleBinary(), arguments, environment: environment, timeout: timeout)
    }

    /// Starts a command in the background; its output goes to the returned file.
    static func start(_ arguments: [String], environment: [String: String]) throws -> (pid: pid_t, output: String) {
        let output = NSTemporaryDirectory() + "market-console-\(UUID().uuidString).out"
        let pid = try ChildProcessRunner.launch(try ConsoleEndToEndTests.consoleBinary(), arguments, environment: environment, output: output)
        return (pid, output)
    }

    /// Waits for a background command to end by itself; its exit status (-1 when it had to be ended).
    static func wait(_ pid: pid_t, timeout: TimeInterval) async -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while Date() < deadline {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1 }
            if reaped < 0 { return -1 }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return ChildProcessRunner.stop(pid)
    }

    /// The cumulative commits of `simulate`'s progress lines so far, with the second each was printed at.
    static func progress(in output: String) -> [(second: Int, commits: Int)] {
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 8, words[1] == "s", words[3] == "ops", words[7] == "commits",
                  let second = Int(words[0]), let commits = Int(words[6]) else { return nil }
            return (second, commits)
        }
    }
}
