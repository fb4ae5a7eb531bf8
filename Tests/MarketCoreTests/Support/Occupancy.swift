import Synchronization

/// Counts how many tasks are inside a critical section at once, and the most ever seen.
final class Occupancy: Sendable {
    private let state = Mutex((inside: 0, most: 0))

    func enter() {
        state.withLock { state in
            state.inside += 1
            state.most = max(state.most, state.inside)
        }
    }

    func leave() {
        state.withLock { $0.inside -= 1 }
    }

    var most: Int { state.withLock { $0.most } }
}

/// Remembers the order things happened in.
final class Ledger<Value: Sendable>: Sendable {
    private let values = Mutex<[Value]>([])
    func append(_ value: Value) { values.withLock { $0.append(value) } }
    var all: [Value] { values.withLock { $0 } }
}
