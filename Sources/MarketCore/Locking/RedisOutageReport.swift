import Foundation

/// What one Redis outage or failover cost this process' locks, for the console's `:locks` view.
///
/// It starts when the lock service loses Redis (or learns the Sentinel master moved) and ends when
/// locks are back on Redis. Fences refused are counted from its start until the next outage: a
/// commit refused with `MC409` after a failover is the fence check doing its job.
public struct RedisOutageReport: Sendable, Equatable {
    /// When Redis was lost (or the master moved).
    public var startedAt: Date
    /// When locks were back on Redis; nil while the outage lasts.
    public var endedAt: Date?
    /// The server before and after (under Sentinel, the master the sentinels named).
    public var serverBefore: RedisAddress?
    public var serverAfter: RedisAddress?
    /// Redis leases held when it happened, all given up (their bodies cancelled).
    public var locksLost: Int
    /// Commits refused since, because their fence was older than one already committed.
    public var fencesRefused: Int
    /// Seconds spent on the fallback policy (advisory locks by default).
    public var fallbackSeconds: Double

    /// True when the server changed: a failover, not only an outage.
    public var isFailover: Bool {
        serverAfter != nil && serverBefore != nil && serverAfter != serverBefore
    }

    /// One line: `failover 127.0.0.1:1 → 127.0.0.1:2 at 20:31:02 UTC: 12 locks lost, 0 fences refused, 3.1 s on the fallback`.
    public var summary: String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let what = isFailover ? "failover \(serverBefore!) → \(serverAfter!)" : "Redis outage"
        let ongoing = endedAt == nil ? " (ongoing)" : ""
        return "\(what) at \(formatter.string(from: startedAt)) UTC\(ongoing): \(locksLost) locks lost, "
            + "\(fencesRefused) fences refused, \(String(format: "%.1f", fallbackSeconds)) s on the fallback"
    }
}
