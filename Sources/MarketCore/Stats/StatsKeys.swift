/// Where outcome and contention statistics live in Redis.
///
/// One hash per wall-clock second, shared by every process: `{ns}stats:uow:{epochSecond}` and
/// `{ns}stats:lock:{epochSecond}`. Fields are `name|counter`; histogram buckets are `name|h:{index}`.
/// Any process (the console) sums the hashes of the seconds it wants to show.
public struct StatsKeys: Sendable {
    public let namespace: String
    /// How long a second's hash is kept.
    public static let retentionSeconds = 3600

    public init(namespace: String) {
        self.namespace = namespace
    }

    public func unitOfWork(second: Int64) -> String { "\(namespace)stats:uow:\(second)" }
    public func locks(second: Int64) -> String { "\(namespace)stats:lock:\(second)" }
    /// A hash of reporting processes: `host:pid` → the epoch second of their last flush.
    public var processes: String { "\(namespace)stats:processes" }
}

/// Counter names used in the hashes.
enum StatsField {
    static let commit = "commit"
    static func rollback(_ reason: RollbackReason) -> String { "rb:\(reason.rawValue)" }
    static let durationSum = "us"
    static func durationBucket(_ index: Int) -> String { "h:\(index)" }

    static let acquired = "acquired"
    static let waited = "waited"
    static let timedOut = "timeout"
    static let renewalFailed = "renew_fail"
    static let lost = "lost"
    static let fenceRefused = "fence_refused"
    static let waitSum = "wait_us"
    static func waitBucket(_ index: Int) -> String { "wh:\(index)" }
    static let holdSum = "hold_us"
    static func holdBucket(_ index: Int) -> String { "hh:\(index)" }
}
