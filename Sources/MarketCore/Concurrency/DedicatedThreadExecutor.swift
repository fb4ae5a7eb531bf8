import Foundation

/// A serial executor that runs every job on one OS thread of its own.
///
/// libpq and hiredis calls block. An actor whose `unownedExecutor` is one of these runs its methods
/// on that thread, so blocking there never starves Swift's cooperative pool (two threads on our
/// machines). One executor per connection: connections never wait on each other.
///
/// It is also a task executor: a Unit of Work prefers its connection's thread
/// (`withTaskExecutorPreference`), so its Swift code and its libpq calls run on the same thread
/// and a statement costs no thread hop. Jobs run isolated to the serial executor, which is sound
/// because this one thread runs every job, one at a time.
final class DedicatedThreadExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `stopping` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(name: String) {
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs already queued and exit.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch {
                job.runSynchronously(isolatedTo: asUnownedSerialExecutor(), taskExecutor: asUnownedTaskExecutor())
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
