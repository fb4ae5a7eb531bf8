import Foundation
import MarketCore
import Views

/// Pending channel transfers and withdrawals waiting for the gateway or an operator.
enum TransfersPane {
    static let columns = [
        TableColumn("Kind", width: 10),
        TableColumn("ID", sortKey: "id", width: 7),
        TableColumn("Subject", width: 18, flexible: true),
        TableColumn("User", width: 12, dropPriority: 3),
        TableColumn("Amount", sortKey: "amount", width: 14),
        TableColumn("Tries", sortKey: "attempts", width: 5, dropPriority: 2),
        TableColumn("Age", sortKey: "created_at", width: 8),
        TableColumn("Last error", width: 18, flexible: true, dropPriority: 1),
    ]

    static func row(_ transfer: PendingTransfer, now: Date, thresholds: Thresholds, previous: PendingTransfer? = nil) -> TableRow {
        let age = now.timeIntervalSince(transfer.createdAt)
        return TableRow(id: transfer.id, cells: [
            .text(transfer.kind.rawValue), .number(String(transfer.entityID)), .text(transfer.subject), .text(transfer.user),
            .number(TON.format(transfer.amount)),
            .number(String(transfer.attempts) + Trend.arrow(from: previous.map { Int64($0.attempts) }, to: Int64(transfer.attempts))),
            TableCell(.age(transfer.createdAt), role: age > 2 * thresholds.transferAge ? .critical
                      : age > thresholds.transferAge ? .warning : nil),
            transfer.lastError.map { .text($0, role: .warning) } ?? TableCell(.empty),
        ])
    }

    static func detail(_ transfer: PendingTransfer) -> Detail {
        Detail(title: "\(transfer.kind == .channel ? "Channel transfer" : "Withdrawal") \(transfer.entityID)", fields: [
            ("Kind", .text(transfer.kind.rawValue)),
            ("ID", .text(String(transfer.entityID))),
            (transfer.kind == .channel ? "Channel" : "Destination", .text(transfer.subject)),
            (transfer.kind == .channel ? "Buyer" : "User", .text(transfer.user)),
            ("Amount", .text(TON.format(transfer.amount))),
            ("Attempts", .text(String(transfer.attempts))),
            ("Last error", transfer.lastError.map { .text($0, role: .warning) } ?? TableCell(.empty)),
            ("Pending for", TableCell(.age(transfer.createdAt))),
            ("Last change", TableCell(.age(transfer.updatedAt))),
            ("Version", .text(String(transfer.version))),
        ])
    }
}
