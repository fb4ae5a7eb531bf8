extension PostgresRow {
    /// `users id=17 balance=5 held=3`: the named columns of this row as an operator reads them.
    /// NULL shows as `NULL`; text with spaces (or empty) is quoted.
    func rendered(as table: String, _ columnNames: [String]) -> String {
        rendered(as: table, fields: columnNames.map { ($0, $0) })
    }

    /// Like ``rendered(as:_:)`` with labels that differ from the query's column names:
    /// `["account_id": "id", "sum": "ledger_sum"]` shows column `ledger_sum` as `sum=…`.
    func rendered(as table: String, _ labelledColumns: KeyValuePairs<String, String>) -> String {
        rendered(as: table, fields: labelledColumns.map { ($0.key, $0.value) })
    }

    /// The text of a multi-row column built in SQL (`string_agg(format(…), E'\n')`), one row per line.
    func renderedLines(column name: String) throws -> [String] {
        guard let text = try decode(String?.self, column: name) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    private func rendered(as table: String, fields: [(label: String, column: String)]) -> String {
        var parts = [table]
        for (label, column) in fields {
            guard let index = columns.firstIndex(of: column), index < values.count else { continue }
            parts.append("\(label)=\(Self.shown(values[index]))")
        }
        return parts.joined(separator: " ")
    }

    private static func shown(_ value: String?) -> String {
        guard let value else { return "NULL" }
        if value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0.isNewline || $0 == "=" }) {
            return value.debugDescription
        }
        return value
    }
}
