import Foundation
import Synchronization

/// One OS thread that runs Swift jobs and, between them, waits for many sockets in one `poll`.
///
/// The executor of a pool's PostgreSQL connections, which drive libpq in non-blocking mode: a
/// statement sends its bytes, then suspends until its socket is ready
/// (``SocketEventLoop/Executor/watch(_:events:resuming:)``), and the thread meanwhile runs the
/// other connections' jobs. Nothing on the thread blocks but that `poll`, so one thread serves
/// many connections (a pool has one loop per core, as pgbench runs its clients on a few threads)
/// without a thread and two wake-ups per connection per round trip, and Swift's cooperative pool is
/// never blocked.
///
/// The thread ends when the last holder of the loop lets it go.
final class SocketEventLoop: Sendable {
    let executor: Executor

    init(name: String) {
        executor = Executor(name: name)
    }

    deinit {
        executor.stop()
    }

    /// The serial and task executor that runs on the loop's thread.
    ///
    /// `@unchecked Sendable`: `queue` is behind its mutex; `waiters`, `descriptors` and the run
    /// loop's buffers are touched only on the loop's own thread.
    final class Executor: SerialExecutor, TaskExecutor, @unchecked Sendable {
        private struct Queue {
            var jobs: [UnownedJob] = []
            /// The thread is (about to be) asleep in `poll`: a new job must wake it through the pipe.
            var sleeping = false
            var stopping = false
        }

        private struct SocketWaiter {
            let socket: Int32
            let events: Int16
            let continuation: UnsafeContinuation<Void, Never>
        }

        /// Which loop, if any, the current thread runs (a pthread key: set once by each loop's thread).
        private static let currentKey: pthread_key_t = {
            var key = pthread_key_t()
            pthread_key_create(&key, nil)
            return key
        }()

        private let queue = Mutex(Queue())
        /// Wakes the thread from `poll` when a job comes.
        private let wakePipe = WakePipe()
        private let threadID = Atomic<UInt>(0)
        private var waiters: [SocketWaiter] = []
        private var descriptors: [pollfd] = []
        private var endOfTurn: [() -> Void] = []

        fileprivate init(name: String) {
            Thread.start(named: name) { [self] in run() }
        }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            let wake = queue.withLock { queue -> Bool in
                queue.jobs.append(job)
                defer { queue.sleeping = false }
                return queue.sleeping
            }
            if wake { wakePipe.signal() }
        }

        /// The loop running the calling thread, if it is a loop's thread.
        static var current: Executor? {
            pthread_getspecific(currentKey).map { Unmanaged<Executor>.fromOpaque($0).takeUnretainedValue() }
        }

        /// Runs `action` on the loop's thread once the jobs of the current turn have run, before it
        /// looks at its sockets: what several jobs of one turn need done (one write of all their
        /// Redis commands) is done once. Callable only on the loop's thread.
        func atEndOfTurn(_ action: @escaping () -> Void) {
            precondition(isCurrent, "SocketEventLoop.atEndOfTurn called off the loop's thread")
            endOfTurn.append(action)
        }

        /// True on the loop's own thread.
        var isCurrent: Bool { threadID.load(ordering: .relaxed) == UInt(pthread_self()) }

        /// Resumes `continuation` once `socket` reports one of `events`, an error or a hang-up.
        /// Callable only on the loop's thread, from a job suspending itself:
        /// `await withUnsafeContinuation { executor.watch(socket, events: …, resuming: $0) }` in
        /// code isolated to an actor on this executor.
        func watch(_ socket: Int32, events: Int16, resuming continuation: UnsafeContinuation<Void, Never>) {
            precondition(isCurrent, "SocketEventLoop.watch called off the loop's thread")
            waiters.append(SocketWaiter(socket: socket, events: events, continuation: continuation))
        }

        fileprivate func stop() {
            queue.withLock { $0.stopping = true }
            wakePipe.signal()
        }

        /// Jobs first, sockets when the queue runs dry: one `poll` per wake-up, which also sleeps.
        /// While jobs keep coming, the sockets are still looked at every few turns.
        private func run() {
            threadID.store(UInt(pthread_self()), ordering: .relaxed)
            pthread_setspecific(Self.currentKey, Unmanaged.passUnretained(self).toOpaque())
            var batch: [UnownedJob] = []
            var turnsSincePoll = 0
            while true {
                let stopping = queue.withLock { queue -> Bool in
                    swap(&batch, &queue.jobs)
                    if batch.isEmpty { queue.sleeping = true }
                    return queue.stopping
                }
                if batch.isEmpty {
                    if stopping && waiters.isEmpty { return }
                    pollSockets(sleeping: true)
                    turnsSincePoll = 0
                    continue
                }
                for job in batch {
                    job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
                }
                batch.removeAll(keepingCapacity: true)
                while !endOfTurn.isEmpty {
                    let actions = endOfTurn
                    endOfTurn.removeAll()
                    actions.forEach { $0() }
                }
                turnsSincePoll += 1
                if turnsSincePoll >= Self.turnsBetweenPolls && !waiters.isEmpty {
                    pollSockets(sleeping: false)
                    turnsSincePoll = 0
                }
            }
        }

        private static let turnsBetweenPolls = 8

        /// Sleeping: until a socket is ready or a job comes (the pipe); else only looks.
        private func pollSockets(sleeping: Bool) {
            descriptors.removeAll(keepingCapacity: true)
            descriptors.append(pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0))
            for waiter in waiters { descriptors.append(pollfd(fd: waiter.socket, events: waiter.events, revents: 0)) }
            let ready = poll(&descriptors, nfds_t(descriptors.count), sleeping ? -1 : 0)
            queue.withLock { $0.sleeping = false }
            guard ready > 0 else { return }
            if descriptors[0].revents != 0 {
                wakePipe.drain()
            }
            var resumed: [UnsafeContinuation<Void, Never>] = []
            var still: [SocketWaiter] = []
            for (offset, waiter) in waiters.enumerated() {
                if descriptors[offset + 1].revents != 0 {
                    resumed.append(waiter.continuation)
                } else {
                    still.append(waiter)
                }
            }
            waiters = still
            // Each resumption enqueues its job here; they run in the next turn.
            for continuation in resumed { continuation.resume() }
        }
    }
}
