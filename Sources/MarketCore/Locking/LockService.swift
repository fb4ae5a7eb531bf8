import Foundation
import Logging
import Synchronization

/// Distributed locks on Redis with fencing tokens, renewal, fair waiting and an explicit fallback.
///
/// ```swift
/// try await locks.withLock("auction:bid:\(id)", operation: "auction.bid") { lease in
///     try await database.withUnitOfWork(named: "auction.bid", lease: lease) { uow in … }
/// }
/// ```
/// - Acquire is `SET NX PX` with a random token (a Lua script that also issues the fencing token
///   and writes the holder into the registry); release and extend compare the token first.
/// - While the body runs, the lease is extended every third of its TTL. If that fails until the
///   lease might have expired, the body is cancelled and the loss is counted.
/// - Waiters of one process queue first-come-first-served per key and wake on release.
/// - When Redis is unreachable, ``LockFallbackPolicy`` decides: PostgreSQL advisory locks,
///   refusal, or (explicitly) no lock. ``mode`` says which is in force.
public final class LockService: Sendable {
    let redis: RedisConnection?
    /// The Redis key names under this service's namespace. `package`, like the other lock internals
    /// marked so, for MarketSimulation's dashboard seed, which takes thousands of locks directly.
    package let keys: LockKeys
    let advisory: AdvisoryLocks
    let policy: LockFallbackPolicy
    let stats: StatsRecorder?
    let identity: ProcessIdentity
    let waitQueue = LocalWaitQueue()
    let tokens = LockTokens()
    /// `host|pid|` of the registry entries this process writes.
    let holderPrefix: String
    /// This service's marker that it raised the fence counter over the current link (see ``LockKeys``).
    let fenceSyncedKey: String
    let logger = Logger(label: "market.locks")

    let state: Mutex<ServiceState>
    private let subscriber: RedisSubscriber?
    private let keeper = Mutex<Task<Void, Never>?>(nil)
    /// Writes registry entries and releases behind the holders' backs (nil without Redis).
    package let bookkeeper: LockBookkeeper?

    /// - Parameters:
    ///   - redis: the lock server; nil runs on the fallback policy from the start.
    ///   - advisoryPool: connections that hold PostgreSQL advisory locks in fallback mode (kept apart
    ///     from the Unit of Work pool so lock holders never starve their own transactions).
    public init(redis: RedisConnection?, advisoryPool: PostgresPool, policy: LockFallbackPolicy = .advisory,
                stats: StatsRecorder? = nil, identity: ProcessIdentity = .current) {
        let namespace = redis?.configuration.namespace ?? "mc:"
        self.redis = redis
        self.keys = LockKeys(namespace: namespace)
        self.advisory = AdvisoryLocks(pool: advisoryPool)
        self.policy = policy
        self.stats = stats
        self.identity = identity
        self.holderPrefix = [identity.host, String(identity.pid)].map { $0.replacingOccurrences(of: "|", with: "/") }
            .joined(separator: "|") + "|"
        self.fenceSyncedKey = LockKeys(namespace: namespace).fenceSynced(holderPrefix + UUID().uuidString)
        self.state = Mutex(ServiceState(mode: redis == nil ? Self.fallbackMode(for: policy) : .redis,
                                        masterEpoch: redis?.configuration.sentinel?.epoch ?? 0,
                                        fencedEpoch: redis?.configuration.sentinel?.epoch ?? 0))
        // Every new link may lead to another server (a restarted one, a promoted replica): no fence
        // is issued over it before this service has raised the counter there.
        redis?.runOnEveryConnection(["DEL", RedisArgument(fenceSyncedKey)])
        let queue = waitQueue
        self.bookkeeper = redis.map { redis in
            LockBookkeeper(redis: redis, keys: LockKeys(namespace: namespace), logger: Logger(label: "market.locks"),
                           onReleased: { queue.wake($0) })
        }
        self.subscriber = redis.map { redis in
            RedisSubscriber(configuration: redis.configuration, channels: [LockKeys(namespace: namespace).releasedChannel],
                            onMessage: { _, payload in queue.wake(String(decoding: payload, as: UTF8.self)) },
                            onConnected: { queue.wakeAll() })
        }
        startKeeper()
    }

    /// How locks are taken right now.
    public var mode: LockMode { state.withLock { $0.mode } }

    /// Stops renewal and the release listener, and waits (at most 2 s) for queued releases to be
    /// written. Locks still held are released by their `withLock`.
    public func close() async {
        keeper.withLock { $0?.cancel(); $0 = nil }
        subscriber?.close()
        // Releases queued by the last bodies go out before Redis closes (a bounded wait when Redis is down).
        await bookkeeper?.drain(timeout: .seconds(2))
    }

    /// The lease of a lock taken without a `ttl`; a Unit of Work's transaction may sit idle for
    /// half of it (see ``PostgresConfiguration/idleInTransactionTimeout``).
    public static let defaultLease: Duration = .seconds(10)

    /// Runs `body` while holding the lock `key`.
    ///
    /// - Parameters:
    ///   - operation: shown as the holder's operation in the lock registry.
    ///   - ttl: the lease length; the lease is renewed while `body` runs.
    ///   - wait: how long to wait for a lock someone else holds before ``LockError/Code/timeout``.
    ///   - executor: where `body` runs (its task's executor preference); by default the global pool.
    ///     A body that mostly waits on a database pool runs best on ``PostgresPool/taskExecutor``.
    /// - Throws: ``LockError`` when the lock cannot be had or is lost (then `body` was cancelled),
    ///   or whatever `body` throws.
    public func withLock<T: Sendable>(
        _ key: String, operation: String = "", ttl: Duration = LockService.defaultLease, wait: Duration = .seconds(5),
        executor: (any TaskExecutor)? = nil, _ body: @escaping @Sendable (LockLease) async throws -> T
    ) async throws -> T {
        let started = ContinuousClock.now
        var body = body
        if ExecutionRecord.current != nil {
            body = { [body] lease in
                ExecutionRecord.recordLock("lock \(lease.key) (\(lease.mode.label), fence \(lease.fence))", waitedSince: started)
                return try await body(lease)
            }
        }
        switch mode {
        case .redis:
            let lease: LockLease
            do {
                lease = try await acquireOnRedis(key, operation: operation, ttl: ttl, wait: wait, started: started)
            } catch let error as RedisError where error.isConnectionFailure {
                noteRedisFailure(error)
                let remaining = started.duration(to: .now) < wait ? wait - started.duration(to: .now) : .zero
                return try await withFallback(key, operation: operation, ttl: ttl, wait: remaining, body)
            }
            // Outside the catch: a body that fails on Redis must not run a second time under the fallback.
            return try await run(body, holding: lease, on: executor)
        case .advisory, .failClosed, .noop:
            return try await withFallback(key, operation: operation, ttl: ttl, wait: wait, body)
        }
    }

    // MARK: - Body and release

    /// Runs `body` in a task of its own, which a lost lease cancels.
    private func run<T: Sendable>(_ body: @escaping @Sendable (LockLease) async throws -> T,
                                  holding lease: LockLease, on executor: (any TaskExecutor)?) async throws -> T {
        let bodyTask = Task(executorPreference: executor) { try await body(lease) }
        lease.attachBody { bodyTask.cancel() }
        state.withLock { $0.active[ObjectIdentifier(lease)] = lease }
        let result = await withTaskCancellationHandler {
            await bodyTask.result
        } onCancel: {
            bodyTask.cancel()
        }
        state.withLock { $0.active[ObjectIdentifier(lease)] = nil }
        release(lease)
        if let reason = lease.lostReason, case .failure = result {
            throw LockError(.leaseLost, key: lease.key, message: "lock \(lease.key) was lost while held: \(reason)")
        }
        return try result.get()
    }

    /// Queues the release of a Redis lease unless it was already lost; counts the hold time.
    private func release(_ lease: LockLease) {
        stats?.recordLock(key: lease.key, .released(hold: lease.acquiredAt.duration(to: .now)))
        guard !lease.isLost, let bookkeeper else {
            waitQueue.wake(lease.key)
            return
        }
        bookkeeper.enqueue(.release(key: lease.key, token: lease.token))
    }

    /// Deletes `key` if `token` still holds it; false when somebody else (or nobody) holds it.
    func release(key: String, token: String) async throws -> Bool {
        guard let bookkeeper else { return false }
        return try await bookkeeper.releaseNow(key: key, token: token)
    }

    /// Extends `key` to `ttl` if `token` still holds it.
    func extend(key: String, token: String, ttl: Duration) async throws -> Bool {
        guard let redis else { return false }
        let reply = try await LockScripts.extend.run(
            on: redis, keys: [RedisArgument(keys.lock(key))],
            arguments: [RedisArgument(token), RedisArgument(Self.milliseconds(ttl))])
        return reply.integer == 1
    }

    // MARK: - Fallback

    private func withFallback<T: Sendable>(
        _ key: String, operation: String, ttl: Duration, wait: Duration,
        _ body: @escaping @Sendable (LockLease) async throws -> T
    ) async throws -> T {
        switch mode {
        case .redis, .advisory:
            return try await advisory.withLock(key, wait: wait, stats: stats) { fence in
                let lease = LockLease(key: key, token: "", fence: fence, mode: .advisory, ttl: ttl,
                                      operation: operation, requestedAt: .now)
                return try await self.runAdvisory(body, holding: lease)
            }
        case .failClosed:
            throw LockError(.unavailable, key: key,
                            message: "Redis is unreachable and the lock policy is fail-closed: \(key) not locked, operation refused")
        case .noop:
            logger.warning("running \(operation.isEmpty ? key : operation) WITHOUT a lock on \(key): Redis is unreachable and the policy is noop")
            let lease = LockLease(key: key, token: "", fence: 0, mode: .noop, ttl: ttl, operation: operation, requestedAt: .now)
            return try await body(lease)
        }
    }

    /// Runs the body of an advisory-locked section: no Redis release, no renewal.
    private func runAdvisory<T: Sendable>(_ body: @escaping @Sendable (LockLease) async throws -> T,
                                          holding lease: LockLease) async throws -> T {
        defer { stats?.recordLock(key: lease.key, .released(hold: lease.acquiredAt.duration(to: .now))) }
        return try await body(lease)
    }

    static func fallbackMode(for policy: LockFallbackPolicy) -> LockMode {
        switch policy {
        case .advisory: .advisory
        case .failClosed: .failClosed
        case .noop: .noop
        }
    }

    /// `duration` in whole milliseconds, at least 1 (what the lock scripts take as a TTL).
    package static func milliseconds(_ duration: Duration) -> Int64 {
        max(1, duration.microseconds / 1000)
    }

    // MARK: - Mode changes

    /// Redis failed: switch to the fallback and give up every Redis lease, since nobody can prove
    /// they still hold one and advisory holders are about to take the same keys.
    ///
    /// Called by the lock service itself when a lock call fails to connect, and by other parts of
    /// the process that saw Redis fail (start-up, the dashboard's reads), so the mode reported
    /// matches Redis' state before the next operation finds out. The keeper probes Redis once a
    /// second while in the fallback and switches back when it answers.
    public func noteRedisFailure(_ error: any Error) {
        let (switched, leases) = state.withLock { state -> (Bool, [LockLease]) in
            guard state.mode == .redis else { return (false, []) }
            state.mode = Self.fallbackMode(for: policy)
            state.fenceFloorSynced = false
            return (true, state.active.values.filter { $0.mode == .redis })
        }
        guard switched else { return }
        logger.critical("Redis unreachable (\(error)); locks now: \(Self.fallbackMode(for: policy).label)")
        let lost = leases.filter { $0.markLost("Redis became unreachable") }
        for lease in lost { stats?.recordLock(key: lease.key, .lost) }
        beginOutage(locksLost: lost.count)
        keepForRelease(lost)
    }

    func noteRedisRecovered() {
        let switched = state.withLock { state -> Bool in
            guard state.mode != .redis else { return false }
            state.mode = .redis
            return true
        }
        guard switched else { return }
        endOutage()
        releaseLostLeases()
        logger.notice("Redis reachable again at \(redis?.serverAddress?.description ?? "?"); locks back on Redis")
    }

    var fenceFloorSynced: Bool {
        get { state.withLock { $0.fenceFloorSynced } }
        set { state.withLock { $0.fenceFloorSynced = newValue } }
    }

    var activeLeases: [LockLease] { state.withLock { Array($0.active.values) } }

    // MARK: - Keeper

    /// How long a lock is held before it is written to the registry (the held-locks view).
    ///
    /// Shorter holds come and go faster than a screen refreshes, and registering each would double
    /// the Redis work of every short operation; their hold times are still counted per key prefix.
    /// A held lock shows within this delay plus one keeper pass (50 ms).
    public static let registrationDelay: Duration = .milliseconds(100)

    private func startKeeper() {
        let task = Task.detached { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(50))
                guard let self else { return }
                await self.keeperTick()
            }
        }
        keeper.withLock { $0 = task }
    }
}

struct ServiceState {
    var mode: LockMode
    var active: [ObjectIdentifier: LockLease] = [:]
    var fenceFloorSynced = false
    var lastProbe: ContinuousClock.Instant?
    /// The Sentinel epoch the service last followed (see ``LockService/followMasterSwitch()``).
    var masterEpoch: Int
    /// The Sentinel epoch of the master the fence counter was last raised on: a raise on a later
    /// one (a promoted replica) leaves ``LockService/fenceGapAfterFailover``.
    var fencedEpoch: Int
    var outage: RedisOutageReport?
    /// Leases given up while Redis was away or the master moved, whose keys may still be on the
    /// (new) master: released, by token, once Redis answers again.
    var lostLeases: [(key: String, token: String)] = []
}

extension LockService {
    /// When Redis was last probed while in fallback mode.
    var lastProbe: ContinuousClock.Instant? {
        get { state.withLock { $0.lastProbe } }
        set { state.withLock { $0.lastProbe = newValue } }
    }
}
