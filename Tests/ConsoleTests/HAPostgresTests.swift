import Foundation
import Testing
@testable import MarketCore

/// The market on a PostgreSQL primary with a streaming standby and PgBouncer in transaction
/// mode, all on loopback (`scripts/ha-postgres.sh`): traffic through the pooler, the primary's
/// death with the standby promoted, and the pooler restarted under traffic. After each, commits
/// resume, `check` is clean, and no committed fence went back.
@Suite("PostgreSQL standby and PgBouncer", .serialized)
struct HAPostgresTests {
    @Test func simulateAndCheckAreCleanThroughPgBouncerInTransactionMode() async throws {
        try await HAPostgres.with { ha, redis in
            let environment = ["DATABASE_URL": ha.pgbouncer, "REDIS_URL": redis, "REDIS_NAMESPACE": "pgb:\(Self.tag()):"]
            let migrated = try await ConsoleProcess.run(["migrate"], environment: environment)
            #expect(migrated.succeeded, "\(migrated.summary)")
            let simulated = try await ConsoleProcess.run(["simulate", "--clients", "16", "--duration", "8", "--users", "300"],
                                                   environment: environment)
            #expect(simulated.succeeded, "\(simulated.summary)")
            let done = try #require(simulated.output.split(separator: "\n").first { $0.hasPrefix("done:") }, "\(simulated.output)")
            print("through PgBouncer: \(done)")
            // A named statement prepared on one server session and used on another would fail: no error rollbacks.
            #expect(!simulated.output.contains("rollback error"), "\(simulated.output)")
            let checked = try await ConsoleProcess.run(["check"], environment: environment)
            #expect(checked.succeeded && checked.output.contains("invariants: clean"), "\(checked.summary)")
        }
    }

    @Test func commitsResumeAfterThePrimaryDiesAndTheStandbyIsPromoted() async throws {
        try await HAPostgres.with { ha, redis in
            let environment = ["DATABASE_URL": ha.failover, "REDIS_URL": redis, "REDIS_NAMESPACE": "failover:\(Self.tag()):"]
            #expect(try await ConsoleProcess.run(["migrate"], environment: environment).succeeded)
            let traffic = try ConsoleProcess.start(["simulate", "--clients", "16", "--duration", "40", "--users", "300"],
                                                   environment: environment)
            try await Self.waitForTraffic(traffic.output)
            let fencesBefore = try await Self.fences(ha.primary)

            let stopped = ContinuousClock.now
            try await ha.run("stop-primary")
            try await ha.run("promote")
            let promoted = ContinuousClock.now
            let resumed = try await Self.firstNewBid(on: ha.standby, after: try await Self.lastBid(ha.standby))
            print(String(format: "failover: primary stopped → standby promoted in %.2f s; first commit on the new primary %.2f s after the stop (%.2f s after promote)",
                         stopped.duration(to: promoted).seconds, stopped.duration(to: resumed).seconds, promoted.duration(to: resumed).seconds))

            let status = await ConsoleProcess.wait(traffic.pid, timeout: 90)
            let output = (try? String(contentsOfFile: traffic.output, encoding: .utf8)) ?? ""
            #expect(status == 0, "simulate exited \(status):\n\(output.suffix(2000))")
            Self.expectCommitsGrewAtTheEnd(traffic.output)
            let checked = try await ConsoleProcess.run(["check"], environment: ["DATABASE_URL": ha.standby, "REDIS_URL": redis])
            #expect(checked.succeeded && checked.output.contains("invariants: clean"), "\(checked.summary)")
            try await Self.expectNoFenceWentBack(from: fencesBefore, on: ha.standby)
            try? FileManager.default.removeItem(atPath: traffic.output)
        }
    }

    @Test func commitsResumeAfterPgBouncerRestartsUnderTraffic() async throws {
        try await HAPostgres.with { ha, redis in
            let environment = ["DATABASE_URL": ha.pgbouncer, "REDIS_URL": redis, "REDIS_NAMESPACE": "pgbr:\(Self.tag()):"]
            #expect(try await ConsoleProcess.run(["migrate"], environment: environment).succeeded)
            let traffic = try ConsoleProcess.start(["simulate", "--clients", "16", "--duration", "25", "--users", "300"],
                                                   environment: environment)
            try await Self.waitForTraffic(traffic.output)
            let fencesBefore = try await Self.fences(ha.primary)
            let restarting = ContinuousClock.now
            try await ha.run("restart-pgbouncer")
            let restarted = ContinuousClock.now
            let resumed = try await Self.firstNewBid(on: ha.primary, after: try await Self.lastBid(ha.primary))
            print(String(format: "pgbouncer restart: down and up again in %.2f s; first commit %.2f s after the restart began",
                         restarting.duration(to: restarted).seconds, restarting.duration(to: resumed).seconds))

            let status = await ConsoleProcess.wait(traffic.pid, timeout: 60)
            let output = (try? String(contentsOfFile: traffic.output, encoding: .utf8)) ?? ""
            #expect(status == 0, "simulate exited \(status):\n\(output.suffix(2000))")
            Self.expectCommitsGrewAtTheEnd(traffic.output)
            let checked = try await ConsoleProcess.run(["check"], environment: environment)
            #expect(checked.succeeded && checked.output.contains("invariants: clean"), "\(checked.summary)")
            try await Self.expectNoFenceWentBack(from: fencesBefore, on: ha.primary)
            try? FileManager.default.removeItem(atPath: traffic.output)
        }
    }

    // MARK: - Helpers

    static func tag() -> String { String(UInt32.random(in: 0...UInt32.max), radix: 36) }

    /// Waits (at most 60 s) until `simulate` has seeded and committed for three progress lines.
    static func waitForTraffic(_ output: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if ConsoleProcess.progress(in: output).filter({ $0.commits > 0 }).count >= 3 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        throw TmuxSession.Failure(description: "simulate did not start committing within 60 s:\n\(text.suffix(2000))")
    }

    /// `simulate`'s commits grew over its last 10 progress seconds.
    static func expectCommitsGrewAtTheEnd(_ output: String) {
        let progress = ConsoleProcess.progress(in: output)
        guard let last = progress.last, let earlier = progress.last(where: { $0.second <= last.second - 10 }) else {
            Issue.record("too few progress lines: \(progress)")
            return
        }
        #expect(last.commits > earlier.commits, "commits at \(earlier.second) s: \(earlier.commits), at \(last.second) s: \(last.commits)")
    }

    /// Every lock key's committed fence.
    static func fences(_ url: String) async throws -> [String: Int64] {
        try await withPool(url) { pool in
            var fences: [String: Int64] = [:]
            for row in try await pool.query("SELECT lock_key, fence FROM lock_fences").rows {
                fences[try row.decode(String.self, at: 0)] = try row.decode(Int64.self, at: 1)
            }
            return fences
        }
    }

    /// Every key's committed fence on `url` is at least what it was before.
    static func expectNoFenceWentBack(from before: [String: Int64], on url: String) async throws {
        let after = try await fences(url)
        let wentBack = before.filter { key, fence in (after[key] ?? 0) < fence }
        #expect(!before.isEmpty)
        #expect(wentBack.isEmpty, "fences that went back: \(wentBack.prefix(10)) (of \(before.count) keys)")
    }

    static func lastBid(_ url: String) async throws -> Int64 {
        try await withPool(url) { try await $0.query("SELECT COALESCE(max(id), 0) FROM bids").rows[0].decode(Int64.self, at: 0) }
    }

    /// When a bid newer than `after` is first seen on `url` (polled every 20 ms for at most 60 s;
    /// errors while the server comes up are part of the wait).
    static func firstNewBid(on url: String, after: Int64) async throws -> ContinuousClock.Instant {
        var configuration = try PostgresConfiguration(url: url)
        configuration.connectTimeoutSeconds = 2
        let pool = PostgresPool(configuration: configuration, label: "probe")
        defer { Task { await pool.close() } }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let newest = try? await pool.query("SELECT COALESCE(max(id), 0) FROM bids").rows[0].decode(Int64.self, at: 0),
               newest > after {
                return .now
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TmuxSession.Failure(description: "no new bid on \(url) within 60 s")
    }

    static func withPool<T>(_ url: String, _ body: (PostgresPool) async throws -> T) async throws -> T {
        let pool = PostgresPool(configuration: try PostgresConfiguration(url: url), label: "probe")
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }
}

extension Duration {
    /// The duration in seconds, for printing.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
