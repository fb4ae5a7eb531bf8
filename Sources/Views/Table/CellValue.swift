import Foundation

/// What one table cell shows, kept as a value so the view formats it against the frame's clock:
/// a countdown keeps counting between refreshes, an age keeps growing.
public enum CellValue: Sendable, Equatable {
    /// Text as given.
    case text(String)
    /// A preformatted number or amount, right-aligned.
    case number(String)
    /// Time left until the instant ("4m07s"), "ended 3s ago" once past.
    case countdown(Date)
    /// Time since the instant ("12s", "3m05s", "2h10m").
    case age(Date)
    /// A duration in milliseconds, right-aligned ("12.5ms").
    case milliseconds(Double)
    /// A row of bars for a series (oldest first), scaled to its own maximum.
    case sparkline([Int64])
    /// Nothing to show ("—" in the dim role).
    case empty

    /// Whether the column content is right-aligned.
    var isNumeric: Bool {
        switch self {
        case .number, .countdown, .age, .milliseconds: true
        case .text, .sparkline, .empty: false
        }
    }

    /// The cell as shown on a terminal, measured against `now`: ``value(now:width:boxes:)`` through
    /// ``TerminalText/sanitized(_:)``.
    func formatted(now: Date, width: Int, boxes: BoxCharacters) -> String {
        TerminalText.sanitized(value(now: now, width: width, boxes: boxes))
    }

    /// The cell's text exactly as the data holds it (for machine outputs), measured against `now`;
    /// a sparkline `width` columns wide at most.
    func value(now: Date, width: Int, boxes: BoxCharacters) -> String {
        switch self {
        case .text(let text), .number(let text): text
        case .countdown(let end):
            end >= now ? Self.compactDuration(end.timeIntervalSince(now))
                       : "ended \(Self.compactDuration(now.timeIntervalSince(end))) ago"
        case .age(let start): Self.compactDuration(max(0, now.timeIntervalSince(start)))
        case .milliseconds(let value):
            switch value {
            case ..<10: String(format: "%.2fms", value)
            case ..<100: String(format: "%.1fms", value)
            case ..<1000: String(format: "%.0fms", value)
            default: String(format: "%.1fs", value / 1000)
            }
        case .sparkline(let series): Sparkline.render(series, width: width, boxes: boxes)
        case .empty: "—"
        }
    }

    /// "45s", "4m07s", "2h05m", "3d04h": two units at most, so a column stays narrow.
    public static func compactDuration(_ seconds: TimeInterval) -> String {
        let total = Int(seconds.rounded(.down))
        switch total {
        case ..<60: return "\(total)s"
        case ..<3600: return "\(total / 60)m" + String(format: "%02ds", total % 60)
        case ..<86400: return "\(total / 3600)h" + String(format: "%02dm", total % 3600 / 60)
        default: return "\(total / 86400)d" + String(format: "%02dh", total % 86400 / 3600)
        }
    }
}
