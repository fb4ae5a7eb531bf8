import Foundation
import MarketCore
import Views

/// Pending trade proposals.
enum ProposalsPane {
    static let columns = [
        TableColumn("ID", sortKey: "id", width: 8),
        TableColumn("Trade", sortKey: "trade_id", width: 8, dropPriority: 3),
        TableColumn("Owner", sortKey: "owner", width: 12, dropPriority: 2),
        TableColumn("Proposer", sortKey: "proposer", width: 12),
        TableColumn("Offers ⇄ for", width: 24, flexible: true),
        TableColumn("Age", sortKey: "created_at", width: 8),
    ]

    static func row(_ proposal: PendingProposal, now: Date) -> TableRow {
        TableRow(id: String(proposal.id), cells: [
            .number(String(proposal.id)), .number(String(proposal.tradeID)), .text(proposal.owner), .text(proposal.proposer),
            .text("\(summary(proposal.items)) ⇄ \(summary(proposal.tradeItems))"),
            TableCell(.age(proposal.createdAt)),
        ])
    }

    static func detail(_ proposal: PendingProposal) -> Detail {
        Detail(title: "Proposal \(proposal.id) on trade \(proposal.tradeID)", fields: [
            ("Proposal", .text(String(proposal.id))),
            ("Trade", .text(String(proposal.tradeID))),
            ("Trade owner", .text("\(proposal.owner) (user \(proposal.ownerID))")),
            ("Proposer", .text("\(proposal.proposer) (user \(proposal.proposerID))")),
            ("Offers", .text(proposal.items.joined(separator: ", "))),
            ("For", .text(proposal.tradeItems.joined(separator: ", "))),
            ("Age", TableCell(.age(proposal.createdAt))),
            ("Version", .text(String(proposal.version))),
        ])
    }

    private static func summary(_ items: [String]) -> String {
        switch items.count {
        case 0: "nothing"
        case 1: items[0]
        default: "\(items[0]) +\(items.count - 1)"
        }
    }
}
