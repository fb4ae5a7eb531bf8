import Foundation

/// Runs blocking work (starting servers, waiting for pgbench) on a thread of its own, so Swift's
/// cooperative pool — two threads on our machines — keeps serving the refresh, stats and lock tasks.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
