import Testing

/// Polls `condition` every 10 ms until it holds, so a test waits on the event it needs (a waiter
/// queued, a key gone) instead of sleeping and hoping. Records an issue and throws after `limit`,
/// which is generous: on a loaded two-core machine an event can take seconds.
func waitUntil(_ what: String, within limit: Duration = .seconds(10),
               _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out after \(limit) waiting until \(what)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
