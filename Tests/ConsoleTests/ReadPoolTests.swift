import Foundation
import Synchronization
import Testing
@testable import MarketCore

/// The dashboards' page reads on a standby (`DATABASE_READ_URL`): none of them reach the primary,
/// the standby's replay lag is shown, and a read a recovery conflict cancelled runs once more.
@Suite("Read pool on a standby", .serialized)
struct ReadPoolTests {
    /// The tables the dashboard pages and counts read.
    static let pageTables = ["auctions", "bids", "trade_proposals", "trades", "channel_transfers", "withdrawals",
                             "operator_actions", "nfts", "channels", "users"]

    @Test func snapshotsReadPagesFromTheStandbyAndShowItsLag() async throws {
        try await HAPostgres.with { ha, redis in
            let tag = HAPostgresTests.tag()
            var environment = ["DATABASE_URL": ha.primary, "REDIS_URL": redis, "REDIS_NAMESPACE": "read:\(tag):"]
            #expect(try await ConsoleProcess.run(["migrate"], environment: environment).succeeded)
            let simulated = try await ConsoleProcess.run(["simulate", "--clients", "4", "--duration", "3", "--users", "200"], environment: environment)
            #expect(simulated.succeeded, "\(simulated.summary)")
            let primaryBefore = try await Self.scans(ha.primary)
            let standbyBefore = try await Self.scans(ha.standby)

            environment["DATABASE_READ_URL"] = ha.standby
            var documents: [[String: Any]] = []
            for view in ["overview", "auctions", "transfers", "audit", "proposals"] {
                let result = try await ConsoleProcess.run(["snapshot", "--view", view, "--json"], environment: environment)
                #expect(result.succeeded, "\(result.summary)")
                let json = String(result.output.drop { $0 != "{" }.reversed().drop { $0 != "}" }.reversed())
                documents.append(try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)"))
            }
            for document in documents {
                let readPool = try #require(document["read_pool"] as? [String: Any], "\(document.keys)")
                #expect(readPool["standby"] as? Bool == true)
                #expect(readPool["replay_lag_seconds"] is Double || readPool["replay_lag_seconds"] is Int, "\(readPool)")
            }

            // A backend writes its statistics before it leaves pg_stat_activity: once the snapshots'
            // sessions are gone from both servers, their scans are counted.
            for url in [ha.primary, ha.standby] { try await Self.waitUntilConsolesLeft(url) }
            let primaryAfter = try await Self.scans(ha.primary)
            let standbyAfter = try await Self.scans(ha.standby)
            print("read pool: scans of the page tables during 5 snapshots: primary \(primaryAfter - primaryBefore), standby \(standbyAfter - standbyBefore)")
            #expect(standbyAfter > standbyBefore)
            #expect(primaryAfter == primaryBefore, "the primary served \(primaryAfter - primaryBefore) scans of page tables")
        }
    }

    @Test func aReadCancelledByARecoveryConflictRunsOnceMore() async throws {
        try await HAPostgres.with { ha, _ in
            try await HAPostgresTests.withPool(ha.primary) { primary in
                try await HAPostgresTests.withPool(ha.standby) { standby in
                    _ = try await primary.simpleQuery("CREATE TABLE conflict_probe (x int); INSERT INTO conflict_probe VALUES (1)")
                    _ = try await standby.simpleQuery("ALTER SYSTEM SET max_standby_streaming_delay = '100ms'")
                    _ = try await standby.simpleQuery("SELECT pg_reload_conf()")
                    let deadline = ContinuousClock.now + .seconds(30)
                    while (try? await standby.query("SELECT count(*) FROM conflict_probe")) == nil {
                        guard ContinuousClock.now < deadline else { throw TmuxSession.Failure(description: "the standby never saw the table") }
                        try await Task.sleep(for: .milliseconds(50))
                    }

                    let attempts = Atomic<Int>(0)
                    async let read = RecoveryConflict.retryingOnce {
                        attempts.add(1, ordering: .relaxed)
                        return try await standby.query("SELECT count(*) FROM conflict_probe, pg_sleep(2)").rows[0].decode(Int.self, at: 0)
                    }
                    while try await standby.query("""
                        SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%FROM conflict_probe, pg_sleep%'
                          AND pid <> pg_backend_pid()
                        """).rows[0].decode(Int.self, at: 0) == 0 {
                        guard ContinuousClock.now < deadline else { throw TmuxSession.Failure(description: "the read never started") }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    // The lock, committed at once, is replayed on the standby, which cancels the
                    // read holding the table after 100 ms; the second try finds the table free.
                    _ = try await primary.simpleQuery("""
                        BEGIN; SET LOCAL synchronous_commit = on; LOCK TABLE conflict_probe IN ACCESS EXCLUSIVE MODE; COMMIT
                        """)
                    #expect(try await read == 1)
                    #expect(attempts.load(ordering: .relaxed) == 2)
                }
            }
        }
    }

    /// Sequential and index scans of the page tables, as `url`'s statistics have them.
    static func scans(_ url: String) async throws -> Int64 {
        try await HAPostgresTests.withPool(url) { pool in
            try await pool.query("""
                SELECT COALESCE(sum(seq_scan + COALESCE(idx_scan, 0)), 0)::bigint FROM pg_stat_user_tables
                WHERE relname IN (\(unsafeSQL: pageTables.map { "'\($0)'" }.joined(separator: ", ")))
                """).rows[0].decode(Int64.self, at: 0)
        }
    }

    /// Waits (at most 30 s) until no session of a `market-console` process is left on `url`.
    static func waitUntilConsolesLeft(_ url: String) async throws {
        try await HAPostgresTests.withPool(url) { pool in
            let deadline = ContinuousClock.now + .seconds(30)
            while try await pool.query("""
                SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'market-console %' AND pid <> pg_backend_pid()
                """).rows[0].decode(Int.self, at: 0) > 0 {
                guard ContinuousClock.now < deadline else { throw TmuxSession.Failure(description: "console sessions still on \(url)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}
