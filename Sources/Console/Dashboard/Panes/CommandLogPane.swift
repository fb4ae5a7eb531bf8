import Foundation
import Views

/// The command log (`L`): every action this console ran, newest first, in the spirit of lazygit's.
enum CommandLogPane {
    static let columns = [
        TableColumn("When", width: 7),
        TableColumn("Action", width: 22),
        TableColumn("Lock", width: 38, dropPriority: 2),
        TableColumn("Outcome", width: 10),
        TableColumn("Took", width: 8),
        TableColumn("Statements", width: 30, flexible: true, dropPriority: 1),
    ]

    static func pane(_ entries: [CommandLogEntry]) -> Pane {
        let rows = entries.enumerated().map { index, entry in
            TableRow(id: String(index), cells: [
                TableCell(.age(entry.at)), .text("\(entry.action.operatorAction.rawValue) \(entry.action.confirmationID)"),
                .text(entry.lock), .text(entry.outcome.label, role: entry.outcome == .done(entry.outcome.message) ? .good : .warning),
                TableCell(.milliseconds(entry.duration * 1000)), .text(entry.statements),
            ])
        }
        return Pane(title: "Command log (L hides)", summary: "\(entries.count) run by this console",
                    table: Table(columns: columns, rows: rows, emptyMessage: "nothing run yet: actions you confirm appear here"),
                    weight: 1, maximumRows: max(3, min(8, rows.count)))
    }
}
