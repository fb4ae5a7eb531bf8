/// Recording into the same types the reader sums into: a process counts one second of one
/// operation (or lock key prefix) in a ``UnitOfWorkStats`` (``LockPrefixStats``) until the next
/// flush. Plain counters and integer-bucket histograms: recording builds and hashes no strings;
/// the Redis hash fields (``StatsField``) are spelled out only when flushing.
extension UnitOfWorkStats {
    mutating func record(_ outcome: UnitOfWorkOutcome, duration: Duration) {
        switch outcome {
        case .commit: commits += 1
        case .rollback(let reason): rollbacks[reason, default: 0] += 1
        }
        self.duration.record(duration)
    }

    /// Adds counts recorded by the same process (the series are not kept while recording).
    mutating func add(_ other: UnitOfWorkStats) {
        commits += other.commits
        rollbacks.merge(other.rollbacks, uniquingKeysWith: +)
        duration.merge(other.duration)
    }

    /// The non-zero hash fields and their increments.
    var hashFields: [(String, Int64)] {
        var fields: [(String, Int64)] = commits > 0 ? [(StatsField.commit, commits)] : []
        for (reason, count) in rollbacks where count > 0 { fields.append((StatsField.rollback(reason), count)) }
        return fields + duration.hashFields(sum: StatsField.durationSum, bucket: StatsField.durationBucket)
    }
}

extension LockPrefixStats {
    mutating func record(_ event: StatsRecorder.LockEvent) {
        switch event {
        case .acquired(let wait, let contended):
            acquired += 1
            if contended { waited += 1 }
            self.wait.record(wait)
        case .timedOut(let wait):
            timedOut += 1
            self.wait.record(wait)
        case .released(let hold):
            self.hold.record(hold)
        case .renewalFailed:
            renewalFailures += 1
        case .lost:
            lost += 1
        case .fenceRefused:
            fenceRefused += 1
        }
    }

    /// The non-zero hash fields and their increments.
    var hashFields: [(String, Int64)] {
        let counts = [(StatsField.acquired, acquired), (StatsField.waited, waited), (StatsField.timedOut, timedOut),
                      (StatsField.renewalFailed, renewalFailures), (StatsField.lost, lost), (StatsField.fenceRefused, fenceRefused)]
        return counts.filter { $0.1 > 0 }
            + wait.hashFields(sum: StatsField.waitSum, bucket: StatsField.waitBucket)
            + hold.hashFields(sum: StatsField.holdSum, bucket: StatsField.holdBucket)
    }
}

extension LatencyHistogram {
    /// The sum's field and one field per non-zero bucket; nothing when empty.
    func hashFields(sum: String, bucket: (Int) -> String) -> [(String, Int64)] {
        guard count > 0 else { return [] }
        return [(sum, sumMicros)] + buckets.map { (bucket($0.key), $0.value) }
    }
}
