import Synchronization

/// A wake-up that fires once, with a timeout and task cancellation.
///
/// `wait(timeout:)` returns true when ``fire()`` woke it, false when the timeout passed first, and
/// throws `CancellationError` when the waiting task is cancelled. Firing before the wait starts is
/// remembered.
final class OneShotSignal: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<Bool, any Error>)
        case done(Result<Bool, any Error>)
    }

    private let state = Mutex(State.idle)

    /// Wakes the waiter with `true`; later calls do nothing.
    func fire() { complete(.success(true)) }

    func wait(timeout: Duration) async throws -> Bool {
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            complete(.success(false))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let early = state.withLock { state -> Result<Bool, any Error>? in
                    if case .done(let result) = state { return result }
                    state = .waiting(continuation)
                    return nil
                }
                if let early { continuation.resume(with: early) }
            }
        } onCancel: {
            complete(.failure(CancellationError()))
        }
    }

    private func complete(_ result: Result<Bool, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Bool, any Error>? in
            switch state {
            case .idle:
                state = .done(result)
                return nil
            case .waiting(let continuation):
                state = .done(result)
                return continuation
            case .done:
                return nil
            }
        }
        continuation?.resume(with: result)
    }
}
