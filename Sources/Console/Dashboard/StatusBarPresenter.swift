import Foundation
import MarketCore
import Views

/// The status bar: server health, lock mode, refresh age and interval, pause.
enum StatusBarPresenter {
    static func items(_ model: DashboardModel, now: Date, boxes: BoxCharacters) -> [StatusItem] {
        guard let data = model.data else { return [StatusItem("connecting…", role: .warning)] }
        // Under Sentinel the Redis item names the master commands go to now.
        let redisName = data.redisMaster.map { "Redis master \($0)" } ?? "Redis"
        var items = [health("PostgreSQL", data.postgres, boxes: boxes), health(redisName, data.redis, boxes: boxes)]
        let mode = data.lockMode
        items.append(StatusItem("locks: \(mode.label)", role: mode == .redis ? .good : mode == .advisory ? .warning : .critical))
        if case .down = data.readPool {
            items.append(health("read pool", data.readPool, boxes: boxes))
        } else if let lag = data.readLag {
            items.append(readPool(lag))
        }
        let age = now.timeIntervalSince(data.fetchedAt)
        let interval = seconds(model.refreshInterval)
        let stale = age > max(3, interval * 3)
        let milliseconds = Double(data.duration.components.attoseconds) / 1e15 + Double(data.duration.components.seconds) * 1000
        items.append(StatusItem(String(format: "data %.1fs old · every %gs · fetch %.0fms", age, interval, milliseconds),
                                role: stale ? .warning : .statusBar))
        if model.paused {
            items.append(StatusItem("PAUSED (Space resumes)", role: .warning))
        } else if model.refreshHeld(now: now) {
            items.append(StatusItem("held while you act", role: .warning))
        }
        // Why a server is down comes last: on a narrow terminal the bar cuts it, not the lock mode.
        for (name, health) in [("PostgreSQL", data.postgres), ("read pool", data.readPool), ("Redis", data.redis)] {
            if case .down(let reason) = health { items.append(StatusItem("\(name): \(reason)", role: .critical)) }
        }
        return items
    }

    /// Where page reads go and how stale they may be: the standby's replay lag, or a warning when
    /// the read URL led to a primary.
    private static func readPool(_ lag: ReadReplicaLag) -> StatusItem {
        guard lag.isStandby else { return StatusItem("reads: primary (no standby)", role: .warning) }
        guard let seconds = lag.seconds else { return StatusItem("standby lag ?", role: .warning) }
        return StatusItem(String(format: "standby lag %.1fs", seconds), role: seconds > 5 ? .warning : .good)
    }

    private static func health(_ name: String, _ health: ServerHealth, boxes: BoxCharacters) -> StatusItem {
        switch health {
        case .up: StatusItem("\(boxes.bullet) \(name)", role: .good)
        case .down: StatusItem("\(boxes.bullet) \(name) DOWN", role: .critical)
        case .notConfigured: StatusItem("\(boxes.bullet) \(name) not configured", role: .dim)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
