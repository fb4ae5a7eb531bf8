import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import TestSupport
import Testing

/// Four `simulate` processes and two consoles (`snapshot`, repeating) on one market: each process
/// reports as host:pid, the lock registry names each holder's host and pid, the statistics every
/// process writes add up to what the database holds, and `check` is clean.
@Suite("Many market processes", .serialized)
struct ManyProcessesTests {
    @Test func fourSimulatorsAndTwoConsolesShareOneMarket() async throws {
        try await HeavyTestGate.run {
            try await ConsoleEndToEndTests.withFreshMarket("many") { services, database, redis, tag in
                let namespace = "many:\(tag):"
                let environment = ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": namespace]
                let simulators = try (1...4).map { seed in
                    try ConsoleProcess.start(["simulate", "--clients", "4", "--duration", "25", "--users", "200", "--seed", String(seed),
                                              "--gateway-latency", "0.2"],
                                             environment: environment)
                }
                let consoles = try (0..<2).map { _ in
                    try ConsoleProcess.start(["snapshot", "--view", "locks", "--json", "-n", "20", "--interval", "0.5"], environment: environment)
                }
                defer { (simulators + consoles).forEach { ChildProcessRunner.stop($0.pid) } }

                // While they trade: every simulator reports its statistics as host:pid, and the lock
                // registry's holders (locks held 100 ms or more: every withdrawal and channel transfer,
                // whose 0.2 s gateway call runs under its lock) are named by host and pid, all of them
                // simulators of this host — several of them, however the machine schedules them.
                var reader = try MarketConfiguration(databaseURL: database, redisURL: redis)
                reader.redis?.namespace = namespace
                let observer = try await MarketServices.connect(reader, migrate: false)
                let statsProcesses = try #require(observer.redis.map { StatsReader(redis: $0, namespace: namespace) })
                let pids = Set(simulators.map { Int32($0.pid) })
                let expectedReporters = Set(simulators.map { "\(ProcessIdentity.current.host):\($0.pid)" })
                var seen: [Int32: String] = [:]
                var foreign: [String] = []
                var reporting: Set<String> = []
                let deadline = ContinuousClock.now + .seconds(60)
                while (seen.count < 2 || !expectedReporters.isSubset(of: reporting)), ContinuousClock.now < deadline {
                    for lock in (try? await observer.locks.heldLocks()) ?? [] {
                        if pids.contains(lock.pid) { seen[lock.pid] = lock.host } else { foreign.append("\(lock.host):\(lock.pid)") }
                    }
                    reporting.formUnion((try? await statsProcesses.reportingProcesses()) ?? [])
                    try await Task.sleep(for: .milliseconds(20))
                }
                await observer.shutdown()
                #expect(expectedReporters.isSubset(of: reporting), "reporting: \(reporting.sorted()); expected: \(expectedReporters.sorted())")
                #expect(seen.count >= 2, "holders seen: \(seen)")
                #expect(foreign.isEmpty, "holders that are no simulator of this test: \(Set(foreign).sorted())")
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
}
