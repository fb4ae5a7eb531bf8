import Foundation

/// Tests that start whole fleets of processes — HA harnesses, several `simulate` processes, a
/// Prometheus server — take turns, across every test target of the run (one lock file).
///
/// On the project's two-core machines, two or three of them side by side starve every other test
/// of CPU, and tests that measure a few seconds of traffic or wait on a deadline fail for want of
/// a core, not for a bug. The lighter tests still run beside whichever heavy one holds the gate.
public enum HeavyTestGate {
    /// Runs `body` once no other heavy test is running (in this process or another), then lets the next one in.
    public static func run<T>(_ body: () async throws -> T) async throws -> T {
        let descriptor = try await acquire()
        defer {
            flock(descriptor, LOCK_UN)
            close(descriptor)
        }
        return try await body()
    }

    /// An exclusive `flock` on the gate's file, waited for on a thread of its own (a blocking wait
    /// on the cooperative pool would stall every other test).
    private static func acquire() async throws -> Int32 {
        let path = NSTemporaryDirectory() + "market-console-heavy-tests.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
                continuation.resume()
            }.start()
        }
        return descriptor
    }
}
