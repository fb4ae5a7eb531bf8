import Foundation
import Synchronization

/// A bounded pool of PostgreSQL connections, lent to closures and always taken back.
///
/// ```swift
/// let pool = PostgresPool(configuration: config)
/// let count = try await pool.withConnection { try await $0.query("SELECT count(*) FROM users") }
/// ```
/// At most `maxConnections` are open; a caller waits at most `acquireTimeout` for one. A connection
/// idle for longer than `healthCheckAfterIdle` is pinged before it is lent; a broken one is closed
/// and replaced on demand, so the pool reconnects by itself after a server restart.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    private let state = Mutex(PoolState())
    /// The threads that drive the pool's connections, one per core (at most 4); a connection
    /// stays on the loop it was opened on.
    private let loops: [SocketEventLoop]
    private let nextLoop = Atomic<Int>(0)

    /// A picture of the pool for tests and the status screen.
    public struct Statistics: Sendable, Equatable {
        /// Connections open now (idle plus lent).
        public var open: Int
        /// Connections waiting in the pool.
        public var idle: Int
        /// Callers waiting for a connection.
        public var waiting: Int
        /// Connections opened over the pool's life (reconnects show here).
        public var opened: Int
    }

    public init(configuration: PostgresConfiguration, label: String = "pool") {
        self.configuration = configuration
        let count = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
        loops = (0..<count).map { SocketEventLoop(name: "pg-\(label)-\($0)") }
    }

    /// A thread the pool's connections run on: code that mostly waits on them runs best there,
    /// without a thread hop per statement. The caller's own loop when it runs on one of the pool's
    /// (its connections are lent from that loop first), else the next loop in turn.
    public var taskExecutor: any TaskExecutor { preferredLoop.executor }

    /// Every loop of the pool, for callers that spread their own tasks over them (benchmark clients).
    public var taskExecutors: [any TaskExecutor] { loops.map(\.executor) }

    private var preferredLoop: SocketEventLoop {
        if let current = SocketEventLoop.Executor.current, let loop = loops.first(where: { $0.executor === current }) {
            return loop
        }
        return loops[nextLoop.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
    }

    public var statistics: Statistics {
        state.withLock { Statistics(open: $0.open, idle: $0.idle.count, waiting: $0.waiters.count, opened: $0.opened) }
    }

    /// Lends a connection to `body` and takes it back afterwards, on every path.
    ///
    /// A connection left inside a transaction, broken, or sent a cancel by `body` is closed, not pooled. `package`:
    /// MarketSimulation's dashboard seed writes its million rows in one transaction on one connection.
    package func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let result = try await body(connection)
            await release(connection)
            return result
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs one statement on a pooled connection.
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        try await withConnection { connection in
            try await withTaskCancellationHandler {
                try await connection.query(query)
            } onCancel: {
                connection.cancelRunningStatement()
            }
        }
    }

    /// Runs SQL text (several statements allowed, no parameters) on a pooled connection.
    public func simpleQuery(_ sql: String) async throws -> PostgresResult {
        try await withConnection { try await $0.simpleQuery(sql) }
    }

    /// Closes idle connections and fails waiters; lent connections close when they come back.
    public func close() async {
        let (idle, waiters) = state.withLock { state -> ([PostgresConnection], [PoolWaiter]) in
            state.closed = true
            defer { state.idle.removeAll(); state.waiters.removeAll() }
            state.open -= state.idle.count
            return (state.idle, state.waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(code: .poolClosed, message: "the connection pool is closed"))
        }
        for connection in idle { await connection.close() }
    }

    // MARK: - Acquire and release

    private func acquire() async throws -> PostgresConnection {
        enum Decision { case use(PostgresConnection), open, wait }
        let loop = preferredLoop
        let decision = try state.withLock { state -> Decision in
            if state.closed { throw PostgresError(code: .poolClosed, message: "the connection pool is closed") }
            // An idle connection of the caller's loop first: its statements then need no thread hop.
            if let index = state.idle.lastIndex(where: { $0.runs(on: loop) }) ?? state.idle.indices.last {
                return .use(state.idle.remove(at: index))
            }
            if state.open < configuration.maxConnections {
                state.open += 1
                state.opened += 1
                return .open
            }
            return .wait
        }
        switch decision {
        case .use(let connection):
            return try await checked(connection, replacingOn: loop)
        case .open:
            return try await openCounted(on: loop)
        case .wait:
            return try await checked(try await waitForRelease(), replacingOn: loop)
        }
    }

    /// Opens a connection for a slot already counted in `open`; on failure the slot goes to the
    /// longest waiter (who tries in turn and learns why, rather than waiting out `acquireTimeout`).
    private func openCounted(on loop: SocketEventLoop) async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration, on: loop)
        } catch {
            await giveSlotToLongestWaiter()
            throw error
        }
    }

    /// Pings a connection that sat idle too long; replaces it, on `loop`, when it no longer answers.
    private func checked(_ connection: PostgresConnection, replacingOn loop: SocketEventLoop) async throws -> PostgresConnection {
        let idleSince = connection.lastReleased.withLock { $0 }
        let usable = connection.isUsable
        if usable && idleSince.duration(to: .now) < configuration.healthCheckAfterIdle { return connection }
        if usable, (try? await connection.simpleQuery("SELECT 1")) != nil { return connection }
        await connection.close()
        return try await openCounted(on: loop)
    }

    private func waitForRelease() async throws -> PostgresConnection {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = configuration.acquireTimeout
        let timer = Task {
            try await Task.sleep(for: timeout)
            self.failWaiter(id, with: PostgresError(
                code: .poolTimeout,
                message: "no database connection free within \(timeout) (pool of \(self.configuration.maxConnections))"))
        }
        defer { timer.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let enqueued = state.withLock { state -> Bool in
                    // A task cancelled before it got here found no waiter to cancel: do not queue it.
                    if state.closed || Task.isCancelled { return false }
                    state.waiters.append(PoolWaiter(id: id, continuation: continuation))
                    return true
                }
                if !enqueued {
                    continuation.resume(throwing: Task.isCancelled ? CancellationError()
                                        : PostgresError(code: .poolClosed, message: "the connection pool is closed"))
                }
            }
        } onCancel: {
            self.failWaiter(id, with: CancellationError())
        }
    }

    private func failWaiter(_ id: Int, with error: any Error) {
        let waiter = state.withLock { state -> PoolWaiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private func release(_ connection: PostgresConnection) async {
        let reusable = connection.isUsable && !connection.wasCancelled
        let clean = !connection.isInTransaction
        guard reusable && clean else {
            await connection.close()
            await giveSlotToLongestWaiter()
            return
        }
        connection.lastReleased.withLock { $0 = .now }
        let waiter = state.withLock { state -> PoolWaiter? in
            if state.closed {
                state.open -= 1
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        if let waiter {
            waiter.continuation.resume(returning: connection)
        } else if state.withLock({ $0.closed }) {
            await connection.close()
        }
    }

    /// A connection left the pool (broken, or never opened): its slot goes to the longest waiter,
    /// with a new connection; when that cannot be opened either, the waiter learns why and the
    /// slot goes to the next one, until a connection opens or nobody waits.
    private func giveSlotToLongestWaiter() async {
        while true {
            let waiter = state.withLock { state -> PoolWaiter? in
                if state.waiters.isEmpty || state.closed {
                    state.open -= 1
                    return nil
                }
                state.opened += 1
                return state.waiters.removeFirst()
            }
            guard let waiter else { return }
            do {
                waiter.continuation.resume(returning: try await PostgresConnection.connect(configuration, on: preferredLoop))
                return
            } catch {
                waiter.continuation.resume(throwing: error)
            }
        }
    }
}

private struct PoolWaiter {
    let id: Int
    let continuation: CheckedContinuation<PostgresConnection, any Error>
}

private struct PoolState {
    var idle: [PostgresConnection] = []
    var waiters: [PoolWaiter] = []
    var open = 0
    var opened = 0
    var nextWaiterID = 0
    var closed = false
}
