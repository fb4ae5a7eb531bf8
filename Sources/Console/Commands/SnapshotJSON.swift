import Foundation
import MarketCore

/// The snapshot's JSON document: each pane a list of row objects, each row with its `id`.
enum SnapshotJSON {
    /// The document, pretty-printed, or on one line when `compact` (JSON Lines, for -n and --append).
    static func document(_ result: FetchResult, now: Date, compact: Bool = false) throws -> String {
        var panes: [String: Any] = [:]
        if let rows = result.auctions?.rows { panes["auctions"] = try objects(rows) }
        if let rows = result.proposals?.rows { panes["proposals"] = try objects(rows) }
        if let rows = result.transfers?.rows { panes["transfers"] = try objects(rows) }
        if let rows = result.audit?.rows { panes["audit"] = try objects(rows) }
        if let rows = result.lockWaits { panes["lock_waits"] = try objects(rows) }
        if let alerts = result.alerts {
            panes["alerts"] = try alerts.map { alert -> Any in
                var object = (try object(alert) as? [String: Any]) ?? [:]
                object["id"] = alert.id
                return object
            }
        }
        if let rows = result.heldLocks?.rows {
            panes["locks"] = rows.map { lock -> [String: Any] in
                ["id": lock.key, "key": lock.key, "host": lock.host, "pid": lock.pid, "operation": lock.operation,
                 "fence": lock.fence, "acquired_at": iso(Date(timeIntervalSince1970: Double(lock.acquiredAtMilliseconds) / 1000)),
                 "lease_ms": lock.leaseMilliseconds, "ttl_left_ms": lock.ttlLeftMilliseconds, "waiters": lock.waiters]
            }
        }
        let window = Double(result.plan.rateWindowSeconds)
        if let rows = result.rates {
            panes["rates"] = rows.map { stats -> [String: Any] in
                var rollbacks: [String: Any] = [:]
                for (reason, count) in stats.rollbacks { rollbacks[reason.rawValue] = count }
                return ["id": stats.operation, "operation": stats.operation,
                        "commits_per_s": Double(stats.commits) / window,
                        "rollbacks_per_s": Double(stats.totalRollbacks) / window, "rollbacks": rollbacks,
                        "p50_ms": stats.duration.percentileMicros(0.5).map { $0 / 1000 } ?? NSNull(),
                        "p99_ms": stats.duration.percentileMicros(0.99).map { $0 / 1000 } ?? NSNull()]
            }
        }
        if let rows = result.contention {
            panes["contention"] = rows.map { stats -> [String: Any] in
                ["id": stats.prefix, "prefix": stats.prefix, "acquired_per_s": Double(stats.acquired) / window,
                 "waits_per_s": Double(stats.waited) / window, "timeouts_per_s": Double(stats.timedOut) / window,
                 "p99_wait_ms": stats.wait.percentileMicros(0.99).map { $0 / 1000 } ?? NSNull(), "lost": stats.lost]
            }
        }
        var document: [String: Any] = [
            "view": result.plan.view.rawValue,
            "fetched_at": iso(result.fetchedAt),
            "lock_mode": result.lockMode.rawValue,
            "servers": servers(result),
            "panes": panes,
        ]
        if let counts = result.counts { document["counts"] = try object(counts) }
        if let lag = result.readLag {
            document["read_pool"] = ["standby": lag.isStandby, "replay_lag_seconds": lag.seconds ?? NSNull()] as [String: Any]
        }
        if let problem = result.problem { document["problem"] = problem }
        let data = try JSONSerialization.data(withJSONObject: document, options: compact ? [.sortedKeys] : [.prettyPrinted, .sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    private static func objects<Row: Encodable>(_ rows: [Row]) throws -> [Any] {
        try rows.map { try object($0) }
    }

    private static func object<Value: Encodable>(_ value: Value) throws -> Any {
        try JSONSerialization.jsonObject(with: encoder.encode(value))
    }

    /// Each server's health; the read pool only when one is configured.
    private static func servers(_ result: FetchResult) -> [String: String] {
        var servers = ["postgresql": health(result.postgres), "redis": health(result.redis)]
        if result.readPool != .notConfigured { servers["read_pool"] = health(result.readPool) }
        return servers
    }

    private static func health(_ health: ServerHealth) -> String {
        switch health {
        case .up: "up"
        case .down(let reason): "down: \(reason)"
        case .notConfigured: "not configured"
        }
    }

    private static func iso(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
