import Foundation
import Testing
@testable import MarketCore

/// One of two market processes is frozen (SIGSTOP) for 25 s, longer than a lock lease, while the
/// other trades on the same market. The frozen one's transactions sit idle holding row locks
/// (the platform account's, say); the server ends them after half a lease
/// (`idle_in_transaction_session_timeout`), so the other is back to at least half its rate within
/// one lease. After the thaw (SIGCONT) nothing it does is wrong: `check` is clean.
@Suite("A frozen lock holder", .serialized)
struct FrozenHolderTests {
    @Test func theOtherProcessRecoversWithinOneLeaseAndCheckIsCleanAfterTheThaw() async throws {
        try await ConsoleEndToEndTests.withFreshMarket("frozen") { _, database, redis, tag in
            let environment = ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": "frozen:\(tag):"]
            func simulate(seed: Int) throws -> (pid: pid_t, output: String) {
                try ConsoleProcess.start(["simulate", "--clients", "8", "--duration", "45", "--users", "300", "--seed", String(seed)],
                                         environment: environment)
            }
            let frozen = try simulate(seed: 11)
            let other = try simulate(seed: 12)
            defer {
                _ = kill(frozen.pid, SIGCONT)
                ChildProcessRunner.stop(frozen.pid)
                ChildProcessRunner.stop(other.pid)
            }
            // Both trading for a few seconds: the other's rate before the freeze.
            let deadline = ContinuousClock.now + .seconds(60)
            while ConsoleProcess.progress(in: other.output).filter({ $0.commits > 0 }).count < 6
                    || ConsoleProcess.progress(in: frozen.output).filter({ $0.commits > 0 }).isEmpty {
                guard ContinuousClock.now < deadline else { throw TmuxSession.Failure(description: "no traffic within 60 s") }
                try await Task.sleep(for: .milliseconds(100))
            }
            let before = ConsoleProcess.progress(in: other.output)
            let (start, end) = (before[before.count - 5], before[before.count - 1])
            let rateBefore = Double(end.commits - start.commits) / Double(max(end.second - start.second, 1))

            #expect(kill(frozen.pid, SIGSTOP) == 0)
            let frozenAt = end.second
            let lease = Int(LockService.defaultLease.components.seconds)
            // The freeze itself is the scenario: 25 s, two and a half leases.
            try await Task.sleep(for: .seconds(25))
            #expect(kill(frozen.pid, SIGCONT) == 0)

            let during = ConsoleProcess.progress(in: other.output).filter { $0.second >= frozenAt }
            var rates: [(second: Int, rate: Double)] = []
            for (previous, next) in zip(during, during.dropFirst()) where next.second > previous.second {
                rates.append((next.second - frozenAt, Double(next.commits - previous.commits) / Double(next.second - previous.second)))
            }
            let recovered = rates.first { $0.rate >= rateBefore / 2 && $0.second > 1 } ?? rates.first { $0.rate >= rateBefore / 2 }
            print(String(format: "frozen holder: the other's commits/s before the freeze %.0f; during it (s after the freeze: rate) %@",
                         rateBefore, rates.map { String(format: "%d:%.0f", $0.second, $0.rate) }.joined(separator: " ")))
            print("frozen holder: back to at least half the rate \(recovered.map { "\($0.second) s" } ?? "never") after the freeze (lease \(lease) s)")
            let recoveredAfter = try #require(recovered?.second, "the rate never came back to half of \(rateBefore): \(rates)")
            #expect(recoveredAfter <= lease, "back to half the rate \(recoveredAfter) s after the freeze; the lease is \(lease) s")

            let frozenStatus = await ConsoleProcess.wait(frozen.pid, timeout: 90)
            let otherStatus = await ConsoleProcess.wait(other.pid, timeout: 90)
            let frozenOutput = (try? String(contentsOfFile: frozen.output, encoding: .utf8)) ?? ""
            #expect(frozenStatus == 0, "the thawed process exited \(frozenStatus):\n\(frozenOutput.suffix(1500))")
            #expect(otherStatus == 0)
            print("frozen holder, the thawed process: \(frozenOutput.split(separator: "\n").filter { $0.contains("done:") || $0.contains("rollback") }.joined(separator: "; "))")
            let checked = try ConsoleProcess.run(["check"], environment: environment)
            #expect(checked.succeeded && checked.output.contains("invariants: clean"), "\(checked.summary)")
            try? FileManager.default.removeItem(atPath: frozen.output)
            try? FileManager.default.removeItem(atPath: other.output)
        }
    }
}
