import Foundation

/// The server settings every connection of ours runs with, and how they reach the server.
///
/// Directly connected, they travel once in the startup packet (libpq's `options`, `-c name=value`).
/// Behind a transaction pooler a session may serve another client between two of our
/// transactions, so nothing set on it can be relied on: the settings are then set for the
/// current transaction only (`set_config(name, value, true)`), by one statement sent at the
/// start of every transaction in its first round trip.
struct SessionSettings: Sendable {
    /// `name` → value, in a fixed order.
    let pairs: [(String, String)]

    init(_ configuration: PostgresConfiguration) {
        var pairs = [("TimeZone", "UTC"), ("DateStyle", "ISO")]
        if let schema = configuration.schema { pairs.append(("search_path", "\(schema),public")) }
        if let timeout = configuration.idleInTransactionTimeout {
            pairs.append(("idle_in_transaction_session_timeout", String(max(1, timeout.wholeMilliseconds))))
        }
        self.pairs = pairs
    }

    /// libpq's `options` connection parameter for the startup packet.
    var startupOptions: String {
        pairs.map { "-c \($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// One parameterized statement setting every value for the current transaction.
    var transactionStatement: PostgresQuery {
        var sql = "SELECT "
        var binds: [String?] = []
        for (index, pair) in pairs.enumerated() {
            binds += [pair.0, pair.1]
            sql += (index == 0 ? "" : ", ") + "set_config($\(binds.count - 1), $\(binds.count), true)"
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The same statement as text, for the simple query protocol (which has no parameters).
    var transactionStatementText: String {
        "SELECT " + pairs.map { "set_config(\(Self.literal($0.0)), \(Self.literal($0.1)), true)" }.joined(separator: ", ")
    }

    /// `sql` (simple query text) with the settings statement run first, or right after a leading
    /// `BEGIN`/`START TRANSACTION`, whose options (an isolation level) must precede every query.
    func prefixing(_ sql: String) -> String {
        guard Self.isBegin(sql) else { return transactionStatementText + "; " + sql }
        guard let end = sql.firstIndex(of: ";") else { return sql + "; " + transactionStatementText }
        return String(sql[..<end]) + "; " + transactionStatementText + String(sql[end...])
    }

    /// True when `sql` starts with `BEGIN` or `START TRANSACTION`.
    static func isBegin(_ sql: String) -> Bool {
        let head = sql.drop { $0.isWhitespace }.prefix(17).uppercased()
        return head.hasPrefix("BEGIN") || head.hasPrefix("START TRANSACTION")
    }

    private static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
