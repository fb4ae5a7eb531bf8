import Foundation
import Testing
@testable import MarketCore

/// Four `simulate` processes and two consoles (`snapshot`, repeating) on one market: the lock
/// registry names each holder's host and pid, the statistics every process writes add up to what
/// the database holds, and `check` is clean.
@Suite("Many market processes", .serialized)
struct ManyProcessesTests {
    @Test func fourSimulatorsAndTwoConsolesShareOneMarket() async throws {
        try await ConsoleEndToEndTests.withFreshMarket("many") { services, database, redis, tag in
            let namespace = "many:\(tag):"
            let environment = ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": namespace]
            let simulators = try (1...4).map { seed in
                try ConsoleProcess.start(["simulate", "--clients", "4", "--duration", "25", "--users", "200", "--seed", String(seed)],
                                         environment: environment)
            }
            let consoles = try (0..<2).map { _ in
                try ConsoleProcess.start(["snapshot", "--view", "locks", "--json", "-n", "20", "--interval", "0.5"], environment: environment)
            }
            defer { (simulators + consoles).forEach { ChildProcessRunner.stop($0.pid) } }

            // The registry, read while they trade, names every simulator as a holder at some point.
            var reader = try MarketConfiguration(databaseURL: database, redisURL: redis)
            reader.redis?.namespace = namespace
            let observer = try await MarketServices.connect(reader, migrate: false)
            let pids = Set(simulators.map { Int32($0.pid) })
            var seen: [Int32: String] = [:]
            let deadline = ContinuousClock.now + .seconds(60)
            while Set(seen.keys) != pids, ContinuousClock.now < deadline {
                for lock in (try? await observer.locks.heldLocks()) ?? [] where pids.contains(lock.pid) { seen[lock.pid] = lock.host }
                try await Task.sleep(for: .milliseconds(20))
            }
            await observer.shutdown()
            let unseen = simulators.filter { seen[Int32($0.pid)] == nil }
            let unseenOutput = unseen.map { simulator in
                "\(simulator.pid): " + String(((try? String(contentsOfFile: simulator.output, encoding: .utf8)) ?? "").suffix(800))
            }.joined(separator: "\n")
            #expect(unseen.isEmpty, "holders seen: \(seen); never seen: \(unseenOutput)")
            #expect(seen.values.allSatisfy { $0 == ProcessIdentity.current.host }, "\(seen)")

            for simulator in simulators {
                let status = await ConsoleProcess.wait(simulator.pid, timeout: 120)
                let output = (try? String(contentsOfFile: simulator.output, encoding: .utf8)) ?? ""
                #expect(status == 0, "simulate \(simulator.pid) exited \(status):\n\(output.suffix(1500))")
            }
            for console in consoles {
                let status = await ConsoleProcess.wait(console.pid, timeout: 60)
                let output = (try? String(contentsOfFile: console.output, encoding: .utf8)) ?? ""
                #expect(status == 0, "snapshot exited \(status):\n\(output.suffix(1500))")
                #expect(output.contains("\"locks\""), "\(output.prefix(600))")
            }

            // Every process's bids, summed in Redis, are the bids in the table.
            let statsReader = try #require(services.redis.map { StatsReader(redis: $0, namespace: namespace) })
            let stats = try await statsReader.unitOfWork(seconds: 600)
            let bidCommits = stats.first { $0.operation == "auction.bid" }?.commits ?? 0
            let bidRows = try await services.pool.query("SELECT count(*) FROM bids").rows[0].decode(Int64.self, at: 0)
            print("many processes: \(bidCommits) auction.bid commits in the shared statistics, \(bidRows) rows in bids; "
                  + "holders seen: \(seen.sorted { $0.key < $1.key }.map { "\($0.value):\($0.key)" }.joined(separator: " "))")
            #expect(bidRows > 0)
            #expect(bidCommits == bidRows)

            let checked = try await ConsoleProcess.run(["check"], environment: environment)
            #expect(checked.succeeded && checked.output.contains("invariants: clean"), "\(checked.summary)")
            (simulators + consoles).forEach { try? FileManager.default.removeItem(atPath: $0.output) }
        }
    }
}
