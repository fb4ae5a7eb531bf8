import Foundation
import Synchronization
import Testing
@testable import MarketCore

@Suite("Connection pool")
struct ConnectionPoolTests {
    /// 64 tasks sit in `pg_sleep` at once; if libpq blocked the cooperative pool (2 threads here),
    /// a ticker on that pool could not run meanwhile.
    @Test func blockingQueriesDoNotStallTheCooperativePool() async throws {
        try await TestServers.withServices(maxConnections: 64) { services in
            let ticks = Atomic<Int>(0)
            let stop = Atomic<Bool>(false)
            let ticker = Task {
                while !stop.load(ordering: .relaxed) {
                    try? await Task.sleep(for: .milliseconds(5))
                    ticks.add(1, ordering: .relaxed)
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<64 {
                    group.addTask { _ = try await services.pool.query("SELECT pg_sleep(0.5)") }
                }
                try await Task.sleep(for: .milliseconds(300))
                let ticksWhileBlocked = ticks.load(ordering: .relaxed)
                // A stalled pool gives 0; a busy 2-core machine running the other suites beside this one
                // gives fewer than the 60 an idle one would.
                #expect(ticksWhileBlocked >= 3, "the ticker ran \(ticksWhileBlocked) times in 300 ms")
                try await group.waitForAll()
            }
            stop.store(true, ordering: .relaxed)
            await ticker.value
            #expect(services.pool.statistics.open == 64)
        }
    }

    /// A few threads drive all of a pool's connections: a statement the server holds (here on a
    /// row lock) must not hold up the statements of the pool's other connections.
    @Test func aStatementWaitingOnTheServerDoesNotHoldUpItsPool() async throws {
        try await TestServers.withServices(maxConnections: 4) { services in
            let blocker = PostgresPool(configuration: try TestServers.configuration(maxConnections: 1).database)
            let locked = Atomic<Bool>(false)
            let release = Atomic<Bool>(false)
            let waiterFinished = Atomic<Bool>(false)
            let holder = Task {
                try await blocker.withConnection { connection in
                    _ = try await connection.simpleQuery("BEGIN; SELECT pg_advisory_xact_lock(424242)")
                    locked.store(true, ordering: .relaxed)
                    while !release.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(10)) }
                    _ = try await connection.simpleQuery("COMMIT")
                }
            }
            while !locked.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(10)) }
            let waiter = Task {
                _ = try await services.pool.query("SELECT pg_advisory_xact_lock(424242)")
                waiterFinished.store(true, ordering: .relaxed)
            }
            // From each of the pool's threads in turn, so the waiter's thread serves some of them.
            let executors = services.pool.taskExecutors
            for value in 0..<200 {
                let row = try await withTaskExecutorPreference(executors[value % executors.count]) {
                    try await services.pool.query("SELECT \(value) + 1")
                }
                #expect(try row.rows[0].decode(Int.self, at: 0) == value + 1)
            }
            let finishedEarly = waiterFinished.load(ordering: .relaxed)
            #expect(!finishedEarly, "the waiter got the lock while it was held")
            release.store(true, ordering: .relaxed)
            try await holder.value
            try await waiter.value
            let finished = waiterFinished.load(ordering: .relaxed)
            #expect(finished)
            await blocker.close()
        }
    }

    /// Statements and results far larger than a socket buffer go through the non-blocking
    /// connection whole, while other connections of the pool keep going.
    @Test func statementsAndResultsLargerThanTheSocketBufferArriveWhole() async throws {
        try await TestServers.withServices(maxConnections: 4) { services in
            let large = String(repeating: "0123456789", count: 1_600_000)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let row = try await services.pool.query("SELECT length(\(large)), substr(\(large), 12345671, 3)")
                    #expect(try row.rows[0].decode(Int.self, at: 0) == large.utf8.count)
                    #expect(try row.rows[0].decode(String.self, at: 1) == "012")
                }
                group.addTask {
                    let row = try await services.pool.query("SELECT repeat('abcd', 4000000)")
                    #expect(try row.rows[0].decode(String.self, at: 0).utf8.count == 16_000_000)
                }
                group.addTask {
                    for value in 0..<100 {
                        let row = try await services.pool.query("SELECT \(value)")
                        #expect(try row.rows[0].decode(Int.self, at: 0) == value)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// Cancelling the task of a running statement cancels it on the server. The connection is
    /// closed, not pooled: the next caller gets a session of its own, which a late cancel cannot reach.
    @Test func cancellingTheTaskCancelsTheStatement() async throws {
        try await TestServers.withServices(maxConnections: 1) { services in
            let firstSession = try await services.pool.query("SELECT pg_backend_pid()").rows[0].decode(Int.self, at: 0)
            let sleeper = Task { try await services.pool.query("SELECT pg_sleep(30)") }
            // Cancel once the statement runs on the server, as seen from a pool of the test's own.
            let observer = PostgresPool(configuration: services.configuration.database)
            try await waitUntil("the statement runs on the server") {
                try await observer.query("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()
                    """).rows[0].decode(Int.self, at: 0) > 0
            }
            await observer.close()
            sleeper.cancel()
            let error = await #expect(throws: PostgresError.self) { try await sleeper.value }
            #expect(error?.sqlState == "57014")
            let nextSession = try await services.pool.query("SELECT pg_backend_pid()").rows[0].decode(Int.self, at: 0)
            #expect(nextSession != firstSession)
            #expect(services.pool.statistics.opened == 2)
            #expect(services.pool.statistics.open == 1)
        }
    }

    /// A cancel reaches the server some time after it is asked for, when the cancelled statement
    /// may have ended: it must never stop the statement of whoever uses the pool next. Rounds of
    /// a short statement cancelled at a random moment, each followed by another caller's statement
    /// on the same one-connection pool, which must succeed every time.
    @Test func aLateCancelNeverStopsTheNextCallersStatement() async throws {
        try await TestServers.withServices(maxConnections: 1) { services in
            var random = SeededRandom(seed: 20261205)
            print("late cancel: 300 rounds, seed 20261205")
            for _ in 0..<300 {
                let cancelled = Task { try await services.pool.query("SELECT pg_sleep(0.001)") }
                try await Task.sleep(for: .microseconds(Int(random.next() % 3_000)))
                cancelled.cancel()
                _ = try? await cancelled.value
                let row = try await services.pool.query("SELECT pg_sleep(0.003), 7")
                #expect(try row.rows[0].decode(Int.self, at: 1) == 7)
            }
        }
    }

    /// While no connection can be opened, callers queued for a slot learn why at once instead of
    /// waiting out the acquire timeout.
    @Test func waitersLearnThatNoConnectionCanBeOpened() async throws {
        let closedPort = try TestRedisServer.freePort()  // nothing listens there
        var configuration = try PostgresConfiguration(url: "postgresql://market@127.0.0.1:\(closedPort)/market_test")
        configuration.maxConnections = 1
        configuration.acquireTimeout = .seconds(20)
        let pool = PostgresPool(configuration: configuration)
        let started = ContinuousClock.now
        let codes = await withTaskGroup(of: PostgresError.Code?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    do {
                        _ = try await pool.query("SELECT 1")
                        return nil
                    } catch {
                        return (error as? PostgresError)?.code
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(codes.count == 4)
        #expect(!codes.contains(.poolTimeout), "codes: \(codes)")
        #expect(!codes.contains(nil), "codes: \(codes)")
        #expect(started.duration(to: .now) < .seconds(10))
        #expect(pool.statistics.open == 0)
        await pool.close()
    }

    @Test func acquireTimesOutWhenThePoolIsExhausted() async throws {
        var configuration = try TestServers.configuration(maxConnections: 1).database
        configuration.schema = nil
        configuration.acquireTimeout = .milliseconds(200)
        let pool = PostgresPool(configuration: configuration)
        try await pool.withConnection { _ in
            let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
            #expect(error?.code == .poolTimeout)
        }
        #expect(pool.statistics == .init(open: 1, idle: 1, waiting: 0, opened: 1))
        await pool.close()
    }

    /// A caller running on one of the pool's threads borrows a connection that thread drives, so
    /// its statements need no thread hop; and every thread of the pool gets connections.
    @Test func aCallerOnAPoolThreadBorrowsAConnectionOfThatThread() async throws {
        var configuration = try TestServers.configuration(maxConnections: 8).database
        configuration.schema = nil
        let pool = PostgresPool(configuration: configuration)
        // Eight connections held at once, so eight are opened, in turn on each thread.
        final class Holders: Sendable { let count = Atomic<Int>(0) }
        let holding = Holders()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await pool.withConnection { _ in
                        holding.count.add(1, ordering: .relaxed)
                        for _ in 0..<1000 where holding.count.load(ordering: .relaxed) < 8 { try await Task.sleep(for: .milliseconds(10)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(pool.statistics.open == 8)
        for executor in pool.taskExecutors {
            for _ in 0..<4 {
                let drivenByCaller = try await withTaskExecutorPreference(executor) {
                    try await pool.withConnection { connection in
                        _ = try await connection.simpleQuery("SELECT 1")
                        return (connection.taskExecutor as AnyObject) === (executor as AnyObject)
                    }
                }
                #expect(drivenByCaller)
            }
        }
        #expect(pool.statistics.opened == 8, "no connection was opened for a thread that had idle ones")
        await pool.close()
    }

    /// `top -H` and `ps -L` name the pool's threads after its label, not "root.default-qos".
    @Test func thePoolsThreadsCarryItsLabel() throws {
        let pool = PostgresPool(configuration: try TestServers.configuration().database, label: "named")
        let expected = Set(pool.taskExecutors.indices.map { "pg-named-\($0)" })
        var names: Set<String> = []
        for _ in 0..<100 where !expected.isSubset(of: names) {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
            names = Set(tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .newlines) })
            usleep(10_000)
        }
        #expect(expected.isSubset(of: names), "threads: \(names.sorted())")
        withExtendedLifetime(pool) {}
    }

    @Test func waitersGetConnectionsInTurn() async throws {
        var configuration = try TestServers.configuration(maxConnections: 2).database
        configuration.schema = nil
        // What is tested is that every waiter gets a turn on two connections, not how fast: a
        // machine busy with the rest of the suite must not turn a wait into a timeout.
        configuration.acquireTimeout = .seconds(60)
        let pool = PostgresPool(configuration: configuration)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask { try await pool.query("SELECT \(index), pg_sleep(0.01)").rows[0].decode(Int.self, at: 0) }
            }
            var seen: [Int] = []
            for try await value in group { seen.append(value) }
            #expect(seen.sorted() == Array(0..<20))
        }
        #expect(pool.statistics.opened == 2)
        await pool.close()
    }
}
