import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import TestSupport
import Testing

/// One of two market processes is frozen (SIGSTOP) for 25 s, longer than a lock lease, while the
/// other trades on the same market. The frozen one's transactions sit idle holding row locks
/// (the platform account's, say); the server ends them after half a lease
/// (`idle_in_transaction_session_timeout`), so the other is back to at least half its rate within
/// one lease. After the thaw (SIGCONT) nothing it does is wrong: `check` is clean.
@Suite("A frozen lock holder", .serialized)
struct FrozenHolderTests {
    @Test func theOtherProcessRecoversWithinOneLeaseAndCheckIsCleanAfterTheThaw() async throws {
        try await HeavyTestGate.run {
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
                let deadline = ContinuousClock.now + .seconds(120)  // two seeders on a loaded machine
                while ConsoleProcess.progress(in: other.output).filter({ $0.commits > 0 }).count < 6
                        || ConsoleProcess.progress(in: frozen.output).filter({ $0.commits > 0 }).isEmpty {
                    guard ContinuousClock.now < deadline else {
                        let tails = [frozen, other].map { String(((try? String(contentsOfFile: $0.output, encoding: .utf8)) ?? "").suffix(600)) }
                        throw TmuxSession.Failure(description: "no traffic within 120 s:\n\(tails.joined(separator: "\n---\n"))")
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                let before = ConsoleProcess.progress(in: other.output)
                let (start, end) = (before[before.count - 5], before[before.count - 1])
                let rateBefore = Double(end.commits - start.commits) / Double(max(end.second - start.second, 1))

                #expect(kill(frozen.pid, SIGSTOP) == 0)
                let frozenAt = ContinuousClock.now
                let lease = LockService.defaultLease
                // The freeze itself is the scenario: 25 s, two and a half leases. Meanwhile the other's
                // progress lines are timed as they arrive (polled every 50 ms).
                var seen = ConsoleProcess.progress(in: other.output).count
                var samples: [(after: Duration, commits: Int)] = [(.zero, end.commits)]
                while frozenAt.duration(to: .now) < .seconds(25) {
                    try await Task.sleep(for: .milliseconds(50))
                    let lines = ConsoleProcess.progress(in: other.output)
                    guard lines.count > seen, let newest = lines.last else { continue }
                    seen = lines.count
                    samples.append((frozenAt.duration(to: .now), newest.commits))
                }
                #expect(kill(frozen.pid, SIGCONT) == 0)

                func rate(_ from: (after: Duration, commits: Int), _ to: (after: Duration, commits: Int)) -> Double {
                    Double(to.commits - from.commits) / max((to.after - from.after).seconds, 0.001)
                }
                let perLine = zip(samples, samples.dropFirst()).map { (after: $1.after, rate: rate($0, $1)) }
                // From one lease after the freeze to its end: the other trades at no less than half its rate.
                let fromLease = try #require(samples.first { $0.after >= lease }, "no progress line after one lease: \(samples)")
                let afterLease = rate(fromLease, samples[samples.count - 1])
                let dipEnded = perLine.last { $0.rate < rateBefore / 2 && $0.after < lease }?.after
                print(String(format: "frozen holder: the other's commits/s before the freeze %.0f; during it (s after the freeze: rate) %@",
                             rateBefore, perLine.map { String(format: "%.1f:%.0f", $0.after.seconds, $0.rate) }.joined(separator: " ")))
                print(String(format: "frozen holder: from %.1f s (one lease %.0f s) to %.1f s after the freeze: %.0f commits/s (%.0f%% of before); last second below half within the lease ended at %@",
                             fromLease.after.seconds, lease.seconds, samples[samples.count - 1].after.seconds, afterLease,
                             100 * afterLease / rateBefore, dipEnded.map { String(format: "%.1f s", $0.seconds) } ?? "none"))
                #expect(afterLease >= rateBefore / 2, "\(afterLease) commits/s from one lease after the freeze, \(rateBefore) before it")

                let frozenStatus = await ConsoleProcess.wait(frozen.pid, timeout: 90)
                let otherStatus = await ConsoleProcess.wait(other.pid, timeout: 90)
                let frozenOutput = (try? String(contentsOfFile: frozen.output, encoding: .utf8)) ?? ""
                #expect(frozenStatus == 0, "the thawed process exited \(frozenStatus):\n\(frozenOutput.suffix(1500))")
                #expect(otherStatus == 0)
                print("frozen holder, the thawed process: \(frozenOutput.split(separator: "\n").filter { $0.contains("done:") || $0.contains("rollback") }.joined(separator: "; "))")
                let checked = try await ConsoleProcess.run(["check"], environment: environment)
                #expect(checked.succeeded && checked.output.contains("invariants: clean"), "\(checked.summary)")
                try? FileManager.default.removeItem(atPath: frozen.output)
                try? FileManager.default.removeItem(atPath: other.output)
            }
        }
    }
}
