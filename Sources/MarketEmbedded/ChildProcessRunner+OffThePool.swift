import Foundation
import MarketCore

extension ChildProcessRunner {
    /// ``run(_:_:as:environment:directory:timeout:)`` for async callers: the wait for the program
    /// happens on a thread of its own, never on one of Swift's cooperative threads (two on our
    /// machines), so a slow program — a harness starting servers, a `simulate` run — cannot stall
    /// every other task of the process while it runs.
    public static func runOffThePool(
        _ executable: String,
        _ arguments: [String],
        as user: String? = nil,
        environment: [String: String] = [:],
        directory: String? = nil,
        timeout: TimeInterval = 60
    ) async -> ChildProcessResult {
        await withCheckedContinuation { continuation in
            Thread.start(named: "child-process") {
                continuation.resume(returning: run(executable, arguments, as: user, environment: environment,
                                                   directory: directory, timeout: timeout))
            }
        }
    }
}
