import Foundation
import Testing
@testable import MarketCore

private struct RuleRefused: Error, RollbackClassifying {
    var rollbackReason: RollbackReason { .ruleRejected }
}

@Suite("Unit of Work")
struct UnitOfWorkTests {
    @Test func commitPersistsEveryWrite() async throws {
        try await TestServers.withServices { services in
            try await services.database.withUnitOfWork(named: "test.commit") { uow in
                try await uow.execute("INSERT INTO users (id, name, balance) VALUES (1, 'ana', 500)")
                try await uow.execute("INSERT INTO ledger (account_id, delta, kind, reference) VALUES (1, 500, 'deposit', 'd1')")
            }
            let row = try await services.pool.query("SELECT (SELECT balance FROM users WHERE id = 1), (SELECT sum(delta) FROM ledger)")
            #expect(try row.rows[0].decode(Int64.self, at: 0) == 500)
            #expect(try row.rows[0].decode(Int64.self, at: 1) == 500)
        }
    }

    @Test func aThrownRuleRollsBackEveryPartialWrite() async throws {
        try await TestServers.withServices { services in
            await #expect(throws: RuleRefused.self) {
                try await services.database.withUnitOfWork(named: "test.rule") { uow in
                    try await uow.execute("INSERT INTO users (id, name, balance) VALUES (1, 'ana', 500)")
                    try await uow.execute("INSERT INTO ledger (account_id, delta, kind, reference) VALUES (1, 500, 'deposit', 'd1')")
                    throw RuleRefused()
                }
            }
            let counts = try await services.pool.query("SELECT (SELECT count(*) FROM users WHERE id = 1), (SELECT count(*) FROM ledger)")
            #expect(try counts.rows[0].decode(Int.self, at: 0) == 0)
            #expect(try counts.rows[0].decode(Int.self, at: 1) == 0)
            await services.stats.flush()
            let stats = try await StatsReader(redis: services.redis!, namespace: services.redis!.configuration.namespace)
                .unitOfWork(seconds: 5)
            #expect(stats.first { $0.operation == "test.rule" }?.rollbacks == [.ruleRejected: 1])
        }
    }

    @Test func serializationFailureRerunsTheClosure() async throws {
        try await TestServers.withServices { services in
            let attempts = try await services.database.withUnitOfWork(named: "test.retry") { uow -> Int in
                try await uow.execute("INSERT INTO users (name) VALUES (\("attempt \(uow.attempt)"))")
                if uow.attempt < 3 {
                    try await uow.query("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; END $$")
                }
                return uow.attempt
            }
            #expect(attempts == 3)
            let names = try await services.pool.query("SELECT name FROM users WHERE NOT is_platform")
            #expect(try names.rows.map { try $0.decode(String.self, at: 0) } == ["attempt 3"])
            await services.stats.flush()
            let stats = try await StatsReader(redis: services.redis!, namespace: services.redis!.configuration.namespace)
                .unitOfWork(seconds: 5)
            let retry = try #require(stats.first { $0.operation == "test.retry" })
            #expect(retry.commits == 1)
            #expect(retry.rollbacks == [.conflict: 2])
        }
    }

    /// Thousands of Units of Work that commit, throw, or lose their connection mid-transaction;
    /// afterwards every connection is back in the pool and nothing leaked.
    @Test func thePoolStaysWholeAcrossThousandsOfOutcomes() async throws {
        try await TestServers.withServices(maxConnections: 8) { services in
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'counter')")
            let total = 3000
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                var counts: [String: Int] = [:]
                for index in 0..<total {
                    group.addTask {
                        do {
                            try await services.database.withUnitOfWork(named: "test.mixed") { uow in
                                try await uow.execute("UPDATE users SET balance = balance + 1 WHERE id = 1")
                                switch index % 10 {
                                case 0: try await uow.query("SELECT pg_terminate_backend(pg_backend_pid())")
                                case 1, 2, 3, 4: throw RuleRefused()
                                default: break
                                }
                            }
                            return "commit"
                        } catch is RuleRefused {
                            return "rule"
                        } catch let error as PostgresError where error.code == .connectionLost {
                            return "lost"
                        }
                    }
                    if index >= 32, let outcome = try await group.next() { counts[outcome, default: 0] += 1 }
                }
                return try await group.reduce(into: counts) { $0[$1, default: 0] += 1 }
            }
            #expect(outcomes == ["commit": 1500, "rule": 1200, "lost": 300])
            let balance = try await services.pool.query("SELECT balance FROM users WHERE id = 1").rows[0].decode(Int64.self, at: 0)
            #expect(balance == Int64(total / 2))
            let statistics = services.pool.statistics
            #expect(statistics.waiting == 0)
            #expect(statistics.open == statistics.idle)
            #expect(statistics.open <= 8)
            let answers = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 { group.addTask { try await services.pool.query("SELECT \(index)").rows[0].decode(Int.self, at: 0) } }
                return try await group.reduce(0, +)
            }
            #expect(answers == 28)
        }
    }
}
