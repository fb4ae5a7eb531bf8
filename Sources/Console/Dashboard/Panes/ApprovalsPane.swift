import Foundation
import MarketCore
import Views

/// Operator actions waiting for a second operator.
enum ApprovalsPane {
    static let columns = [
        TableColumn("ID", width: 6),
        TableColumn("Action", width: 24),
        TableColumn("Target", width: 8),
        TableColumn("Asked by", width: 12),
        TableColumn("Reason", width: 20, flexible: true, dropPriority: 1),
        TableColumn("Waiting", width: 8),
    ]

    static func row(_ approval: PendingApproval, now: Date) -> TableRow {
        TableRow(id: String(approval.id), cells: [
            .number(String(approval.id)), .text(approval.action, role: .warning), .number(String(approval.targetID)),
            .text(approval.requestedBy), .text(approval.reason), TableCell(.age(approval.createdAt)),
        ])
    }

    static func detail(_ approval: PendingApproval) -> Detail {
        Detail(title: "Approval \(approval.id)", fields: [
            ("Action", .text(approval.action)),
            ("Target", .text(String(approval.targetID))),
            ("Row version", approval.expectedVersion.map { .text(String($0)) } ?? TableCell(.empty)),
            ("Asked by", .text(approval.requestedBy)),
            ("Reason", .text(approval.reason)),
            ("State", .text(approval.state)),
            ("Waiting for", TableCell(.age(approval.createdAt))),
        ])
    }
}
