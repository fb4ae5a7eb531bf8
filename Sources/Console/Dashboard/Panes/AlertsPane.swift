import MarketCore
import Views

/// Stuck-lock alerts, critical first.
enum AlertsPane {
    static let columns = [
        TableColumn("Severity", width: 8),
        TableColumn("Subject", width: 22),
        TableColumn("What", width: 30, flexible: true),
    ]

    static func row(_ alert: LockAlert) -> TableRow {
        let role: StyleRole = alert.severity == .critical ? .critical : .warning
        return TableRow(id: alert.id, cells: [.text(alert.severity.rawValue, role: role), .text(alert.subject), .text(alert.message)])
    }
}
