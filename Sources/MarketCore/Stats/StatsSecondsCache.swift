import Synchronization

/// The sums of statistics seconds that are over, kept for a ``StatsReader`` read every second.
///
/// A second is settled ``settledAfter`` seconds after it ends: every process flushes its counts
/// once a second, so by then they are all in. (A process whose flushes failed for longer ships
/// its counts late; a settled second read before they arrive keeps missing them.) Only the seconds
/// of the latest window read are kept: a console open for a week holds one window's sums, not a
/// growing history (each second's sums carry latency histograms, about 10 KB a second of traffic).
final class StatsSecondsCache: Sendable {
    static let settledAfter: Int64 = 5

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

    /// Keeps the sums of seconds up to `settledThrough`, and forgets seconds before `oldestWanted`
    /// (the first second of the window just read: windows slide forward).
    func keep(_ new: [Int64: Sum], settledThrough: Int64, oldestWanted: Int64) {
        let settled = new.filter { $0.key <= settledThrough && $0.key >= oldestWanted }
        sums.withLock { sums in
            sums.merge(settled) { _, new in new }
            if sums.keys.contains(where: { $0 < oldestWanted }) { sums = sums.filter { $0.key >= oldestWanted } }
        }
    }

    /// How many seconds are kept now.
    var count: Int { sums.withLock { $0.count } }
}
