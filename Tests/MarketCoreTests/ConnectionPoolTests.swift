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

    @Test func waitersGetConnectionsInTurn() async throws {
        var configuration = try TestServers.configuration(maxConnections: 2).database
        configuration.schema = nil
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
