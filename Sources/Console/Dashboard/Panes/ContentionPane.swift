import Foundation
import MarketCore
import Views

/// Lock contention per key prefix over the rate window.
enum ContentionPane {
    static let columns = [
        TableColumn("Key prefix", width: 18, flexible: true),
        TableColumn("Acquired/s", width: 10),
        TableColumn("Waits/s", width: 9),
        TableColumn("Timeouts/s", width: 10),
        TableColumn("p99 wait", width: 10),
        TableColumn("p99 hold", width: 10, dropPriority: 1),
        TableColumn("Lost", width: 5, dropPriority: 2),
    ]

    static func rows(_ prefixes: [LockPrefixStats], windowSeconds: Int) -> [TableRow] {
        prefixes.sorted { $0.waited == $1.waited ? $0.prefix < $1.prefix : $0.waited > $1.waited }.map { stats in
            TableRow(id: stats.prefix, cells: [
                .text(stats.prefix),
                .number(Rate.perSecond(stats.acquired, windowSeconds)),
                .number(Rate.perSecond(stats.waited, windowSeconds), role: stats.waited > 0 ? .warning : nil),
                .number(Rate.perSecond(stats.timedOut, windowSeconds), role: stats.timedOut > 0 ? .critical : nil),
                Rate.percentile(stats.wait, 0.99),
                Rate.percentile(stats.hold, 0.99),
                .number(String(stats.lost), role: stats.lost > 0 ? .critical : nil),
            ])
        }
    }
}

/// Formatting shared by the statistics panes.
enum Rate {
    static func perSecond(_ count: Int64, _ seconds: Int) -> String {
        String(format: "%.1f", Double(count) / Double(max(1, seconds)))
    }

    static func percentile(_ histogram: LatencyHistogram, _ quantile: Double) -> TableCell {
        histogram.percentileMicros(quantile).map { TableCell(.milliseconds($0 / 1000)) } ?? TableCell(.empty)
    }
}
