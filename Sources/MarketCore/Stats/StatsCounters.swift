/// What one process counted for one operation in one second, until the next flush.
///
/// Plain counters and a histogram with integer buckets: recording costs no string building or
/// string hashing. The Redis hash fields (``StatsField``) are spelled out only when flushing.
struct UnitOfWorkCounters {
    private var commits: Int64 = 0
    private var rollbacks: [RollbackReason: Int64] = [:]
    private var durations = LatencyHistogram()

    mutating func add(outcome: UnitOfWorkOutcome, duration: Duration) {
        switch outcome {
        case .commit: commits += 1
        case .rollback(let reason): rollbacks[reason, default: 0] += 1
        }
        durations.record(micros: duration.microseconds)
    }

    mutating func merge(_ other: UnitOfWorkCounters) {
        commits += other.commits
        rollbacks.merge(other.rollbacks, uniquingKeysWith: +)
        durations.merge(other.durations)
    }

    /// The non-zero hash fields and their increments.
    var fields: [(String, Int64)] {
        var fields: [(String, Int64)] = []
        if commits > 0 { fields.append((StatsField.commit, commits)) }
        for (reason, count) in rollbacks where count > 0 { fields.append((StatsField.rollback(reason), count)) }
        if durations.count > 0 { fields.append((StatsField.durationSum, durations.sumMicros)) }
        for (bucket, count) in durations.buckets { fields.append((StatsField.durationBucket(bucket), count)) }
        return fields
    }
}

/// What one process counted for one lock key prefix in one second, until the next flush.
struct LockCounters {
    private var acquired: Int64 = 0
    private var waited: Int64 = 0
    private var timedOut: Int64 = 0
    private var renewalFailed: Int64 = 0
    private var lost: Int64 = 0
    private var waits = LatencyHistogram()
    private var holds = LatencyHistogram()

    mutating func add(_ event: StatsRecorder.LockEvent) {
        switch event {
        case .acquired(let wait, let contended):
            acquired += 1
            if contended { waited += 1 }
            waits.record(micros: wait.microseconds)
        case .timedOut(let wait):
            timedOut += 1
            waits.record(micros: wait.microseconds)
        case .released(let hold):
            holds.record(micros: hold.microseconds)
        case .renewalFailed:
            renewalFailed += 1
        case .lost:
            lost += 1
        }
    }

    mutating func merge(_ other: LockCounters) {
        acquired += other.acquired
        waited += other.waited
        timedOut += other.timedOut
        renewalFailed += other.renewalFailed
        lost += other.lost
        waits.merge(other.waits)
        holds.merge(other.holds)
    }

    /// The non-zero hash fields and their increments.
    var fields: [(String, Int64)] {
        let counts = [(StatsField.acquired, acquired), (StatsField.waited, waited), (StatsField.timedOut, timedOut),
                      (StatsField.renewalFailed, renewalFailed), (StatsField.lost, lost)]
        var fields = counts.filter { $0.1 > 0 }
        if waits.count > 0 { fields.append((StatsField.waitSum, waits.sumMicros)) }
        for (bucket, count) in waits.buckets { fields.append((StatsField.waitBucket(bucket), count)) }
        if holds.count > 0 { fields.append((StatsField.holdSum, holds.sumMicros)) }
        for (bucket, count) in holds.buckets { fields.append((StatsField.holdBucket(bucket), count)) }
        return fields
    }
}
