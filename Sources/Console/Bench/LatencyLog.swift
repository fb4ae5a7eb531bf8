import Synchronization

/// Latencies and counts gathered by a benchmark's concurrent clients.
final class LatencyLog: Sendable {
    private let state = Mutex<(samples: LatencySamples, committed: Int)>((LatencySamples(), 0))

    func record(_ duration: Duration, committed: Bool) {
        state.withLock {
            $0.samples.record(duration)
            if committed { $0.committed += 1 }
        }
    }

    var snapshot: (samples: LatencySamples, committed: Int) { state.withLock { $0 } }

    /// Forgets everything recorded so far (the warm-up's).
    func reset() {
        state.withLock { $0 = (LatencySamples(), 0) }
    }
}
