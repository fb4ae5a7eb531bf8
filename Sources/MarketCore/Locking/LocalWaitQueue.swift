import Synchronization

/// In-process first-come-first-served order among the tasks waiting for one lock key.
///
/// Only the task at the head of a key's queue asks Redis; the others wait for their turn. The
/// head sleeps until the key is released (a pub/sub message or a local release calls
/// ``wake(_:)``) or a short timeout passes, so a hot key is neither polled in a tight loop nor
/// able to starve a waiter that arrived early.
final class LocalWaitQueue: Sendable {
    private struct KeyQueue {
        var order: [Int] = []
        var turnSignals: [Int: OneShotSignal] = [:]
        var headSignal: OneShotSignal?
        /// A wake that came while the head was between sleeps: the next sleep returns at once.
        var pendingWake = false
    }

    private let queues = Mutex<[String: KeyQueue]>([:])
    private let nextTicket = Atomic<Int>(0)

    /// Joins the queue for `key`; returns the ticket to pass to the other calls.
    func enter(_ key: String) -> Int {
        let ticket = nextTicket.add(1, ordering: .relaxed).newValue
        queues.withLock { $0[key, default: KeyQueue()].order.append(ticket) }
        return ticket
    }

    /// Waits until `ticket` is at the head; false when `timeout` passed first.
    func waitForTurn(_ key: String, ticket: Int, timeout: Duration) async throws -> Bool {
        let signal = OneShotSignal()
        let isHead = queues.withLock { queues -> Bool in
            guard queues[key]?.order.first != ticket else { return true }
            queues[key]?.turnSignals[ticket] = signal
            return false
        }
        if isHead { return true }
        return try await signal.wait(timeout: timeout)
    }

    /// The head sleeps until the key is released or `timeout` passes.
    func sleepAsHead(_ key: String, timeout: Duration) async throws {
        let signal = OneShotSignal()
        let wakeAtOnce = queues.withLock { queues -> Bool in
            if queues[key]?.pendingWake == true {
                queues[key]?.pendingWake = false
                return true
            }
            queues[key]?.headSignal = signal
            return false
        }
        if wakeAtOnce { return }
        _ = try await signal.wait(timeout: timeout)
        queues.withLock { $0[key]?.headSignal = nil }
    }

    /// The key was released: wake the head of its queue.
    func wake(_ key: String) {
        let signal = queues.withLock { queues -> OneShotSignal? in
            guard queues[key] != nil else { return nil }
            if let signal = queues[key]?.headSignal {
                queues[key]?.headSignal = nil
                return signal
            }
            queues[key]?.pendingWake = true
            return nil
        }
        signal?.fire()
    }

    /// Wakes the head of every queue (after Redis reconnects, a release may have been missed).
    func wakeAll() {
        let keys = queues.withLock { Array($0.keys) }
        keys.forEach(wake)
    }

    /// Leaves the queue; the next ticket, if any, becomes the head.
    func leave(_ key: String, ticket: Int) {
        let next = queues.withLock { queues -> OneShotSignal? in
            guard var queue = queues[key] else { return nil }
            let wasHead = queue.order.first == ticket
            queue.order.removeAll { $0 == ticket }
            queue.turnSignals[ticket] = nil
            if queue.order.isEmpty {
                queues[key] = nil
                return nil
            }
            var signal: OneShotSignal?
            if wasHead {
                queue.headSignal = nil
                queue.pendingWake = true
                signal = queue.turnSignals.removeValue(forKey: queue.order[0])
            }
            queues[key] = queue
            return signal
        }
        next?.fire()
    }

    /// How many tasks of this process wait for `key`.
    func count(_ key: String) -> Int {
        queues.withLock { $0[key]?.order.count ?? 0 }
    }
}
