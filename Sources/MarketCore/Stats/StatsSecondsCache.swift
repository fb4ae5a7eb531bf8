import Synchronization

/// The sums of statistics seconds that are over, kept for a ``StatsReader`` read every second.
///
/// A second is settled ``settledAfter`` seconds after it ends: every process flushes its counts
/// once a second, so by then they are all in. (A process whose flushes failed for longer ships
/// its counts late; a settled second read before they arrive keeps missing them.) At most
/// ``capacity`` seconds are kept per kind; older ones are read from Redis again.
final class StatsSecondsCache: Sendable {
    static let settledAfter: Int64 = 5
    static let capacity: Int64 = 900

    let unitOfWork = SettledSeconds<[String: UnitOfWorkStats]>()
    let locks = SettledSeconds<[String: LockPrefixStats]>()
}

/// Per-second sums of one kind of statistics, by epoch second.
final class SettledSeconds<Sum: Sendable>: Sendable {
    private let sums = Mutex<[Int64: Sum]>([:])

    /// The sums known for seconds in `window`.
    func sums(in window: ClosedRange<Int64>) -> [Int64: Sum] {
        sums.withLock { sums in sums.filter { window.contains($0.key) } }
    }

    /// Keeps the sums of seconds up to `settledThrough`, and forgets seconds older than the capacity.
    func keep(_ new: [Int64: Sum], settledThrough: Int64) {
        let settled = new.filter { $0.key <= settledThrough }
        sums.withLock { sums in
            sums.merge(settled) { _, new in new }
            let oldest = settledThrough - StatsSecondsCache.capacity
            if sums.keys.contains(where: { $0 <= oldest }) { sums = sums.filter { $0.key > oldest } }
        }
    }
}
