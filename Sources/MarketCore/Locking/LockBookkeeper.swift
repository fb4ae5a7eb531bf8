import Logging
import Synchronization

/// Writes registry entries and releases to Redis behind the lock holders' backs, in batches.
///
/// Neither is on an acquisition's critical path: a holder learns its fence from the acquire script
/// and goes on; its registry entry follows in the next batch, and its release is queued when its
/// body ends. At most one batch is in flight; whatever comes meanwhile goes out together in the
/// next one, in order, as one script call. Later commands of this process reach Redis after the
/// batches queued before them (one connection, in order), so a local waiter woken after a release
/// batch finds the key free. A batch that fails is logged: keys then expire with their TTL.
package final class LockBookkeeper: Sendable {
    enum Operation: Sendable {
        case register(key: String, token: String, entry: String)
        case release(key: String, token: String)
    }

    private let redis: RedisConnection
    private let keys: LockKeys
    private let logger: Logger
    /// Called with each released key once its batch is done (released or not).
    private let onReleased: @Sendable (String) -> Void
    private let queue = Mutex<(waiting: [Operation], inFlight: Bool)>(([], false))

    init(redis: RedisConnection, keys: LockKeys, logger: Logger, onReleased: @escaping @Sendable (String) -> Void) {
        self.redis = redis
        self.keys = keys
        self.logger = logger
        self.onReleased = onReleased
    }

    func enqueue(_ operation: Operation) {
        let batch = queue.withLock { queue -> [Operation]? in
            queue.waiting.append(operation)
            if queue.inFlight { return nil }
            queue.inFlight = true
            defer { queue.waiting.removeAll() }
            return queue.waiting
        }
        if let batch { send(batch) }
    }

    /// Waits until every queued operation has been answered by Redis (or failed), at most
    /// `timeout`: a process about to exit must not leave its last releases unsent, or the next
    /// process would wait out their TTL.
    func drain(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while queue.withLock({ $0.inFlight || !$0.waiting.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Writes registry entries now, in one script call, for locks taken outside `withLock` (the
    /// dashboard benchmark's seed); entries whose token no longer holds its lock are skipped.
    package func registerNow(_ registrations: [(key: String, token: String, entry: String)]) async throws {
        guard !registrations.isEmpty else { return }
        let (scriptKeys, arguments) = call(registrations.map { .register(key: $0.key, token: $0.token, entry: $0.entry) })
        _ = try await LockScripts.bookkeeping.run(on: redis, keys: scriptKeys, arguments: arguments)
    }

    /// Releases one lock now and says whether `token` still held it.
    func releaseNow(key: String, token: String) async throws -> Bool {
        let (scriptKeys, arguments) = call([.release(key: key, token: token)])
        let reply = try await LockScripts.bookkeeping.run(on: redis, keys: scriptKeys, arguments: arguments)
        return reply.array.first?.integer == 1
    }

    private func send(_ queued: [Operation]) {
        let batch = Self.withoutShortLivedRegistrations(queued)
        let (scriptKeys, arguments) = call(batch)
        LockScripts.bookkeeping.runDetached(on: redis, keys: scriptKeys, arguments: arguments) { [self] result in
            let released = batch.compactMap { operation -> String? in
                if case .release(let key, _) = operation { return key }
                return nil
            }
            switch result {
            case .success(let reply):
                for (index, flag) in reply.array.enumerated() where flag.integer != 1 && index < released.count {
                    logger.warning("lock \(released[index]) had expired before its release")
                }
            case .failure(let error):
                logger.warning("lock bookkeeping for \(batch.count) operation(s) failed: \(error); locks expire within their TTL")
            }
            released.forEach(onReleased)
            let next = queue.withLock { queue -> [Operation]? in
                guard !queue.waiting.isEmpty else {
                    queue.inFlight = false
                    return nil
                }
                defer { queue.waiting.removeAll() }
                return queue.waiting
            }
            if let next { send(next) }
        }
    }

    /// Drops the registration of a lock whose release is in the same batch: it was held for less
    /// than one bookkeeping round trip, so no reader could have seen its registry entry anyway.
    static func withoutShortLivedRegistrations(_ batch: [Operation]) -> [Operation] {
        var releasedTokens: Set<String> = []
        for case .release(_, let token) in batch { releasedTokens.insert(token) }
        guard !releasedTokens.isEmpty else { return batch }
        return batch.filter { operation in
            if case .register(_, let token, _) = operation { return !releasedTokens.contains(token) }
            return true
        }
    }

    private func call(_ batch: [Operation]) -> ([RedisArgument], [RedisArgument]) {
        var scriptKeys = keys.registryKeys
        var arguments = [RedisArgument(keys.releasedChannel)]
        for operation in batch {
            switch operation {
            case .register(let key, let token, let entry):
                scriptKeys.append(RedisArgument(keys.lock(key)))
                arguments += ["A", RedisArgument(token), RedisArgument(key), RedisArgument(entry)]
            case .release(let key, let token):
                scriptKeys += [RedisArgument(keys.lock(key)), RedisArgument(keys.waiters(key))]
                arguments += ["R", RedisArgument(token), RedisArgument(key)]
            }
        }
        return (scriptKeys, arguments)
    }
}
