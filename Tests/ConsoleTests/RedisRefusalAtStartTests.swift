import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import Testing
import TestSupport

/// A Redis that answers and refuses the configuration ends the command at start with exit 2 and
/// the reason; only a Redis that cannot be reached lets the market run on its lock fallback.
@Suite("Redis refusal at start")
struct RedisRefusalAtStartTests {
    /// A new database on the test servers, and the test Redis' URL and port; nil (with an issue
    /// recorded) when the test servers' URLs are not set.
    private static func servers(_ prefix: String) async throws -> (database: String, redis: String, redisPort: Int)? {
        let environment = ProcessInfo.processInfo.environment
        guard let baseDatabase = environment["DATABASE_URL"], let redis = environment["REDIS_URL"],
              let redisPort = URLComponents(string: redis)?.port else {
            Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
            return nil
        }
        return (try await TestDatabase.create(named: "\(prefix)_\(randomHex(bytes: 6))", from: baseDatabase), redis, redisPort)
    }

    @Test func aRefusedConfigurationExitsTwoWithTheReasonAndAnUnreachableRedisFallsBack() async throws {
        guard let (database, _, redisPort) = try await Self.servers("refusal") else { return }
        let sentinel = try SentinelProcess(monitoring: redisPort)
        defer { sentinel.stop() }

        let refusals: [(url: String, reason: String)] = [
            ("redis://127.0.0.1:\(redisPort)/16", "DB index is out of range"),
            ("redis://:not-the-password@127.0.0.1:\(redisPort)/0", "without any password configured"),
            ("redis://nobody:secret-pw@127.0.0.1:\(redisPort)/0", "WRONGPASS"),
            ("redis-sentinel://127.0.0.1:\(sentinel.port)/0#no-such-master", "no Redis master named \"no-such-master\""),
        ]
        for refusal in refusals {
            let result = await ChildProcessRunner.runOffThePool(try ConsoleEndToEndTests.consoleBinary(), ["check"],
                                                environment: ["DATABASE_URL": database, "REDIS_URL": refusal.url], timeout: 60)
            #expect(result.status == 2, "\(refusal.url): \(result.output)")
            #expect(result.output.contains(refusal.reason), "\(refusal.url): \(result.output)")
            #expect(!result.output.contains("secret-pw") && !result.output.contains("not-the-password"), "\(result.output)")
            #expect(!result.output.contains("advisory fallback"), "\(refusal.url): \(result.output)")
        }

        // Nobody listens on port 1: an outage, so the market starts on advisory locks and the check runs.
        let unreachable = await ChildProcessRunner.runOffThePool(try ConsoleEndToEndTests.consoleBinary(), ["check"],
                                                 environment: ["DATABASE_URL": database, "REDIS_URL": "redis://127.0.0.1:1/0"], timeout: 60)
        #expect(unreachable.status == 0, "\(unreachable.output)")
        #expect(unreachable.output.contains("Redis is unreachable"), "\(unreachable.output)")
        // The sentinel is there and knows the master: the check runs on Redis, found through Sentinel.
        let discovered = await ChildProcessRunner.runOffThePool(try ConsoleEndToEndTests.consoleBinary(), ["check"],
                                                environment: ["DATABASE_URL": database,
                                                              "REDIS_URL": "redis-sentinel://127.0.0.1:\(sentinel.port)/0#market"], timeout: 60)
        #expect(discovered.status == 0, "\(discovered.output)")
        #expect(!discovered.output.contains("unreachable"), "\(discovered.output)")
    }

    /// Sentinels with a password of their own (`requirepass`): without REDIS_SENTINEL_PASSWORD, or
    /// with a wrong one, the command ends with exit 2 and the sentinel's reason, never on the lock
    /// fallback and never showing the password; with it, the check runs on the master they name.
    @Test func sentinelsWithAPasswordOfTheirOwnAskForIt() async throws {
        guard let (database, redis, redisPort) = try await Self.servers("sentinel_auth") else { return }
        let password = "sentinel-\(randomHex(bytes: 8))"
        let sentinel = try SentinelProcess(monitoring: redisPort, password: password)
        defer { sentinel.stop() }
        let url = "redis-sentinel://127.0.0.1:\(sentinel.port)/0#market"

        let attempts: [(password: String?, reason: String)] = [(nil, "NOAUTH"), ("not-\(password)", "WRONGPASS")]
        for attempt in attempts {
            var variables = ["DATABASE_URL": database, "REDIS_URL": url]
            variables["REDIS_SENTINEL_PASSWORD"] = attempt.password
            let result = await ChildProcessRunner.runOffThePool(try ConsoleEndToEndTests.consoleBinary(), ["check"],
                                                                environment: variables, timeout: 60)
            #expect(result.status == 2, "\(attempt.reason): \(result.output)")
            #expect(result.output.contains(attempt.reason), "\(result.output)")
            #expect(!result.output.contains(password), "\(result.output)")
            #expect(!result.output.contains("advisory fallback"), "\(result.output)")
        }
        let authenticated = await ChildProcessRunner.runOffThePool(
            try ConsoleEndToEndTests.consoleBinary(), ["check"],
            environment: ["DATABASE_URL": database, "REDIS_URL": url, "REDIS_SENTINEL_PASSWORD": password], timeout: 60)
        #expect(authenticated.status == 0, "\(authenticated.output)")
        #expect(!authenticated.output.contains("unreachable"), "\(authenticated.output)")
        #expect(!authenticated.output.contains(password), "\(authenticated.output)")

        // A sentinel password with a plain redis:// URL is a mistake, said as one.
        let misplaced = await ChildProcessRunner.runOffThePool(
            try ConsoleEndToEndTests.consoleBinary(), ["check"],
            environment: ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_SENTINEL_PASSWORD": password], timeout: 60)
        #expect(misplaced.status == 2, "\(misplaced.output)")
        #expect(misplaced.output.contains("not a redis-sentinel:// URL"), "\(misplaced.output)")
    }
}

/// One sentinel of the test's own (redis-server in sentinel mode) watching the test Redis as
/// `market`, asking for `password` when one is given.
private struct SentinelProcess {
    let port: Int
    let pid: pid_t
    let directory: URL

    init(monitoring redisPort: Int, password: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard let port = EmbeddedFreePort.pick(),
              let redisServer = EmbeddedExecutables.find("redis-server") else {
            throw TmuxSession.Failure(description: "no free port, or redis-server is not installed")
        }
        self.port = port
        let configuration = directory.appendingPathComponent("sentinel.conf")
        let requirePassword = password.map { "requirepass \"\($0)\"\n" } ?? ""
        try "sentinel monitor market 127.0.0.1 \(redisPort) 1\n\(requirePassword)".write(to: configuration, atomically: true, encoding: .utf8)
        pid = try ChildProcessRunner.launch(redisServer, [
            configuration.path, "--sentinel", "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path,
        ])
        let deadline = Date().addingTimeInterval(10)
        while !SentinelProcess.answers(port: port, password: password), Date() < deadline { usleep(20_000) }
    }

    func stop() {
        ChildProcessRunner.stop(pid, signal: SIGTERM)
        try? FileManager.default.removeItem(at: directory)
    }

    private static func answers(port: Int, password: String?) -> Bool {
        guard let redisCLI = EmbeddedExecutables.find("redis-cli") else { return false }
        let result = ChildProcessRunner.run(redisCLI, ["-h", "127.0.0.1", "-p", String(port), "ping"],
                                            environment: password.map { ["REDISCLI_AUTH": $0] } ?? [:], timeout: 5)
        return result.output.contains("PONG")
    }
}
