import Foundation
import MarketCore
import Views

/// The refresh interval and the message line.
extension DashboardModel {
    mutating func changeInterval(by factor: Double, now: Date) {
        setInterval(refreshInterval * factor, now: now)
    }

    mutating func setInterval(_ interval: Duration, now: Date) {
        refreshInterval = min(Self.maximumRefresh, max(Self.minimumRefresh, interval))
        let seconds = Self.seconds(refreshInterval)
        say("refreshing every \(String(format: "%g", seconds))s (limits \(Self.minimumRefresh) – \(Self.maximumRefresh))",
            role: .normal, now: now)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Shows `text` on the message line for a few seconds (a logged warning, a bad theme file).
    mutating func notify(_ text: String, role: StyleRole, now: Date) {
        say(text, role: role, now: now)
    }

    /// Shows `text` for `seconds`; a warning or worse stays until the next key, so it is not missed.
    mutating func say(_ text: String, role: StyleRole, now: Date, seconds: TimeInterval = 5) {
        let sticky = role == .warning || role == .critical
        message = (text, role, sticky ? .distantFuture : now.addingTimeInterval(seconds))
    }
}
