import Foundation
import Testing
@testable import MarketCore

@Suite("PostgreSQL client")
struct PostgresClientTests {
    @Test func interpolatedValuesAreBoundNotSpliced() async throws {
        try await TestServers.withServices { services in
            let hostile = "x'); DROP TABLE users; --"
            let query: PostgresQuery = "SELECT \(hostile)::text AS text, \(Int64(42)) + 1 AS answer"
            #expect(query.sql == "SELECT $1::text AS text, $2 + 1 AS answer")
            let row = try #require(try await services.pool.query(query).first)
            #expect(try row.decode(String.self, column: "text") == hostile)
            #expect(try row.decode(Int64.self, column: "answer") == 43)
            let users = try await services.pool.query("SELECT count(*) FROM users")
            #expect(try users.rows[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test func rowsDecodeIntoTypedValues() async throws {
        try await TestServers.withServices { services in
            let moment = Date(timeIntervalSince1970: 1_764_000_000.25)
            let row = try #require(try await services.pool.query("""
                SELECT \(Int64.max)::bigint, \(true)::boolean, NULL::text, \(moment)::timestamptz, 2.5::float8
                """).first)
            #expect(try row.decode(Int64.self, at: 0) == Int64.max)
            #expect(try row.decode(Bool.self, at: 1) == true)
            #expect(try row.decode(String?.self, at: 2) == nil)
            #expect(try row.decode(Date.self, at: 3).timeIntervalSince1970 == 1_764_000_000.25)
            #expect(try row.decode(Double.self, at: 4) == 2.5)
            #expect(throws: PostgresError.self) { try row.decode(String.self, at: 2) }
            #expect(throws: PostgresError.self) { try row.decode(Int64.self, at: 1) }
        }
    }

    @Test func pipelinedStatementsArePreparedOnceAndSurviveASchemaChange() async throws {
        try await TestServers.withServices(maxConnections: 1) { services in
            let table = TestServers.uniqueName("prep")
            _ = try await services.pool.simpleQuery("CREATE TABLE \(table) (id int PRIMARY KEY, name text)")
            _ = try await services.pool.simpleQuery("INSERT INTO \(table) VALUES (1, 'one')")
            let select = PostgresQuery(unsafeSQL: "SELECT * FROM \(table) WHERE id = $1", binds: ["1"])
            let prepared = PostgresQuery(unsafeSQL: "SELECT count(*) FROM pg_prepared_statements WHERE statement = $1",
                                         binds: [select.sql])
            let pipeline = { try await services.pool.withConnection { try await $0.pipeline([select, prepared]) } }
            _ = try await pipeline()
            let results = try await pipeline()
            #expect(try results[0].rows[0].decode(String.self, column: "name") == "one")
            #expect(try results[1].rows[0].decode(Int.self, at: 0) == 1)
            // A changed result type makes the cached plan unusable: the statement is prepared afresh.
            _ = try await services.pool.simpleQuery("ALTER TABLE \(table) ADD COLUMN extra text DEFAULT 'x'")
            _ = try? await pipeline()
            let afterChange = try await pipeline()
            #expect(try afterChange[0].rows[0].decode(String.self, column: "extra") == "x")
            #expect(try afterChange[1].rows[0].decode(Int.self, at: 0) == 1)
            _ = try await services.pool.simpleQuery("DROP TABLE \(table)")
        }
    }

    @Test func aStatementThatFailsToPrepareInAPipelineIsNotRemembered() async throws {
        try await TestServers.withServices(maxConnections: 1) { services in
            let broken: PostgresQuery = "SELECT * FROM no_such_table_\(unsafeSQL: TestServers.uniqueName("t"))"
            for _ in 0..<2 {
                let error = await #expect(throws: PostgresError.self) {
                    try await services.pool.withConnection { try await $0.pipeline(["SELECT 1", broken]) }
                }
                #expect(error?.sqlState == "42P01")
            }
            let ok = try await services.pool.withConnection { try await $0.pipeline(["SELECT 2"]) }
            #expect(try ok[0].rows[0].decode(Int.self, at: 0) == 2)
        }
    }

    @Test func uniqueViolationCarriesItsSQLState() async throws {
        try await TestServers.withServices { services in
            _ = try await services.pool.query("INSERT INTO users (name, telegram_id) VALUES ('ana', 42)")
            let error = await #expect(throws: PostgresError.self) {
                try await services.pool.query("INSERT INTO users (name, telegram_id) VALUES ('ana again', 42)")
            }
            #expect(error?.code == .uniqueViolation)
            #expect(error?.sqlState == "23505")
        }
    }

    @Test func nowaitLockIsLockNotAvailable() async throws {
        try await TestServers.withServices { services in
            try await services.pool.withConnection { holder in
                _ = try await holder.simpleQuery("BEGIN")
                _ = try await holder.query("SELECT * FROM users WHERE id = 0 FOR UPDATE")
                let error = await #expect(throws: PostgresError.self) {
                    try await services.database.withUnitOfWork(named: "test.nowait") { uow in
                        try await uow.query("SELECT * FROM users WHERE id = 0 FOR UPDATE NOWAIT")
                    }
                }
                #expect(error?.code == .lockNotAvailable)
                #expect(error?.sqlState == "55P03")
                _ = try await holder.simpleQuery("ROLLBACK")
            }
        }
    }

    @Test func deadlockIsDeadlockDetected() async throws {
        try await TestServers.withServices { services in
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a'), (2, 'b')")
            try await services.pool.withConnection { first in
                try await services.pool.withConnection { second in
                    // Each transaction holds one row before either asks for the other's,
                    // so the cycle forms whatever the machine's load.
                    _ = try await first.simpleQuery("BEGIN")
                    _ = try await second.simpleQuery("BEGIN")
                    _ = try await first.query("UPDATE users SET held = held WHERE id = 1")
                    _ = try await second.query("UPDATE users SET held = held WHERE id = 2")
                    async let firstOutcome = Self.errorOf { _ = try await first.query("UPDATE users SET held = held WHERE id = 2") }
                    async let secondOutcome = Self.errorOf { _ = try await second.query("UPDATE users SET held = held WHERE id = 1") }
                    let codes = await [firstOutcome, secondOutcome].compactMap { $0?.code }
                    #expect(codes == [.deadlockDetected])
                    _ = try await first.simpleQuery("ROLLBACK")
                    _ = try await second.simpleQuery("ROLLBACK")
                }
            }
        }
    }

    private static func errorOf(_ body: () async throws -> Void) async -> PostgresError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? PostgresError
        }
    }

    @Test func serializationFailureIsDistinguished() async throws {
        try await TestServers.withServices { services in
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a')")
            try await services.pool.withConnection { first in
                try await services.pool.withConnection { second in
                    _ = try await first.simpleQuery("BEGIN ISOLATION LEVEL SERIALIZABLE")
                    _ = try await second.simpleQuery("BEGIN ISOLATION LEVEL SERIALIZABLE")
                    _ = try await first.query("SELECT balance FROM users WHERE id = 1")
                    _ = try await second.query("SELECT balance FROM users WHERE id = 1")
                    _ = try await first.query("UPDATE users SET balance = balance + 1 WHERE id = 1")
                    _ = try await first.simpleQuery("COMMIT")
                    let error = await #expect(throws: PostgresError.self) {
                        try await second.query("UPDATE users SET balance = balance + 1 WHERE id = 1")
                    }
                    #expect(error?.code == .serializationFailure)
                    #expect(error?.isTransientConflict == true)
                    _ = try await second.simpleQuery("ROLLBACK")
                }
            }
        }
    }

    @Test func lostConnectionIsReportedAndThePoolReconnects() async throws {
        try await TestServers.withServices(maxConnections: 2) { services in
            let error = await #expect(throws: PostgresError.self) {
                try await services.pool.query("SELECT pg_terminate_backend(pg_backend_pid())")
            }
            #expect(error?.code == .connectionLost)
            let row = try await services.pool.query("SELECT 7")
            #expect(try row.rows[0].decode(Int.self, at: 0) == 7)
            #expect(services.pool.statistics.open <= 2)
        }
    }

    @Test func badURLIsOneClearLine() throws {
        let error = #expect(throws: PostgresError.self) {
            try PostgresConfiguration(url: "postgresql://user:secret@host:notaport/db")
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("\n") == false)
        #expect(error?.description.contains("secret") == false)
    }

    @Test func unreachableServerFailsToConnectWithoutHanging() async throws {
        let port = try TestRedisServer.freePort()
        var configuration = try PostgresConfiguration(url: "postgresql://market@127.0.0.1:\(port)/market")
        configuration.connectTimeoutSeconds = 2
        let pool = PostgresPool(configuration: configuration)
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.code == .connectionFailed)
        #expect(pool.statistics.open == 0)
        await pool.close()
    }

    @Test func redactedURLHidesThePassword() throws {
        let configuration = try PostgresConfiguration(url: "postgresql://market:hunter2@db.example:5432/market")
        #expect(configuration.redactedURL == "postgresql://market:***@db.example:5432/market")
    }
}
