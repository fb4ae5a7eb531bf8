import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import TestSupport

/// A Redis master, its replica and three sentinels on loopback, started by `scripts/ha-redis.sh`
/// (the same script an operator runs) for one test and stopped after it.
struct SentinelHarness: Sendable {
    /// `redis-sentinel://…#market`.
    let url: String
    let masterPID: pid_t
    let masterPort: Int
    let replicaPort: Int
    let sentinelPorts: [Int]

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../scripts/ha-redis.sh").standardized.path

    struct StartFailed: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts the harness (its sentinels asking for `sentinelPassword` when one is given), runs
    /// `body`, and stops it on every path.
    static func with<T>(sentinelPassword: String? = nil, _ body: (SentinelHarness) async throws -> T) async throws -> T {
        try await HeavyTestGate.run {
            let environmentFile = NSTemporaryDirectory() + "ha-redis-\(randomHex(bytes: 6)).env"
            let harness = try await start(environmentFile: environmentFile, sentinelPassword: sentinelPassword)
            do {
                let result = try await body(harness)
                await stop(environmentFile: environmentFile)
                return result
            } catch {
                await stop(environmentFile: environmentFile)
                throw error
            }
        }
    }

    private static func start(environmentFile: String, sentinelPassword: String?) async throws -> SentinelHarness {
        let result = await runScript("start", environmentFile: environmentFile,
                                     extra: sentinelPassword.map { ["HA_REDIS_SENTINEL_PASSWORD": $0] } ?? [:])
        guard result.succeeded else {
            throw StartFailed(description: "scripts/ha-redis.sh start failed: \(result.output)")
        }
        let values = try parse(String(contentsOfFile: environmentFile, encoding: .utf8))
        guard let url = values["REDIS_SENTINEL_URL"], let pid = values["HA_REDIS_MASTER_PID"].flatMap({ pid_t($0) }),
              let master = values["HA_REDIS_MASTER_PORT"].flatMap({ Int($0) }),
              let replica = values["HA_REDIS_REPLICA_PORT"].flatMap({ Int($0) }),
              let sentinels = values["HA_REDIS_SENTINEL_PORTS"]
        else { throw StartFailed(description: "scripts/ha-redis.sh wrote an incomplete \(environmentFile)") }
        return SentinelHarness(url: url, masterPID: pid, masterPort: master, replicaPort: replica,
                               sentinelPorts: sentinels.split(separator: " ").compactMap { Int($0) })
    }

    private static func stop(environmentFile: String) async {
        _ = await runScript("stop", environmentFile: environmentFile)
    }

    /// `export KEY='value'` and `KEY='value'` lines.
    private static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            var assignment = line.hasPrefix("export ") ? line.dropFirst("export ".count) : line[...]
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            let key = String(assignment[..<equals])
            assignment = assignment[assignment.index(after: equals)...]
            values[key] = assignment.trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        }
        return values
    }

    /// Runs the script on a thread of its own (it blocks while the servers start).
    private static func runScript(_ command: String, environmentFile: String,
                                  extra: [String: String] = [:]) async -> ChildProcessResult {
        await withCheckedContinuation { continuation in
            Thread.start(named: "ha-redis-script") {
                continuation.resume(returning: ChildProcessRunner.run(
                    "/bin/bash", [script, command], environment: extra.merging(["HA_REDIS_ENV": environmentFile]) { $1 },
                    timeout: 90))
            }
        }
    }

    /// Kills the master outright (SIGKILL): the sentinels promote the replica.
    func killMaster() {
        kill(masterPID, SIGKILL)
    }
}
