import Foundation
import MarketCore
import Views

/// Unit of Work outcomes per operation over the rate window, from every process's statistics.
enum RatesPane {
    static let columns = [
        TableColumn("Operation", width: 22, flexible: true),
        TableColumn("Commits/s", width: 9),
        TableColumn("Rollbk/s", width: 8),
        TableColumn("Rule", width: 5, dropPriority: 4),
        TableColumn("Confl", width: 5, dropPriority: 4),
        TableColumn("LockTO", width: 6, dropPriority: 4),
        TableColumn("Ext", width: 5, dropPriority: 4),
        TableColumn("Err", width: 5, dropPriority: 3),
        TableColumn("p50", width: 8, dropPriority: 2),
        TableColumn("p99", width: 8),
        TableColumn("Commits/s, last minute", width: 24, dropPriority: 1),
    ]

    static func rows(_ operations: [UnitOfWorkStats], windowSeconds: Int) -> [TableRow] {
        let sorted = operations.sorted { $0.commits + $0.totalRollbacks > $1.commits + $1.totalRollbacks }
        return [row(UnitOfWorkStats.total(of: operations), emphasised: true, windowSeconds: windowSeconds)]
            + sorted.map { row($0, emphasised: false, windowSeconds: windowSeconds) }
    }

    private static func row(_ stats: UnitOfWorkStats, emphasised: Bool, windowSeconds: Int) -> TableRow {
        let rollbacks = stats.totalRollbacks
        let cells: [TableCell] = [
            .text(stats.operation),
            .number(Rate.perSecond(stats.commits, windowSeconds), role: .good),
            .number(Rate.perSecond(rollbacks, windowSeconds), role: rollbacks > 0 ? .warning : nil),
            count(stats, .ruleRejected), count(stats, .conflict), count(stats, .lockTimeout), count(stats, .externalFailure),
            count(stats, .error, role: .critical),
            Rate.percentile(stats.duration, 0.5),
            Rate.percentile(stats.duration, 0.99),
            TableCell(.sparkline(stats.commitSeries)),
        ]
        return TableRow(id: stats.operation, cells: cells, role: emphasised ? .header : nil)
    }

    private static func count(_ stats: UnitOfWorkStats, _ reason: RollbackReason, role: StyleRole = .warning) -> TableCell {
        let value = stats.rollbacks[reason] ?? 0
        return .number(String(value), role: value > 0 ? role : .dim)
    }
}

