import Foundation
import MarketCore
import Views

/// Operator actions, newest first.
enum AuditPane {
    static let columns = [
        TableColumn("When", sortKey: "at", width: 8),
        TableColumn("Operator", sortKey: "operator", width: 12),
        TableColumn("Role", width: 9, dropPriority: 2),
        TableColumn("Action", sortKey: "action", width: 18),
        TableColumn("Target", width: 14),
        TableColumn("Outcome", width: 10),
        TableColumn("Reason", width: 16, flexible: true, dropPriority: 1),
    ]

    static func row(_ entry: AuditEntry, now: Date) -> TableRow {
        TableRow(id: String(entry.id), cells: [
            TableCell(.age(entry.at)), .text(entry.operator), .text(entry.role), .text(entry.action), .text(entry.target),
            .text(entry.outcome, role: entry.outcome == "done" ? .good : .warning), .text(entry.reason),
        ])
    }

    static func detail(_ entry: AuditEntry) -> Detail {
        Detail(title: "Audit entry \(entry.id)", fields: [
            ("When", .text(ISO8601DateFormatter().string(from: entry.at))),
            ("Ago", TableCell(.age(entry.at))),
            ("Operator", .text(entry.operator)),
            ("Role", .text(entry.role)),
            ("Action", .text(entry.action)),
            ("Target", .text(entry.target)),
            ("Reason", .text(entry.reason)),
            ("Outcome", .text(entry.outcome)),
            ("Detail", entry.detail.map { .text($0) } ?? TableCell(.empty)),
        ])
    }
}
