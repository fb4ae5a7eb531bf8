/// A table-like source of dashboard rows and how it may be sorted, filtered and paged by keyset.
///
/// Every sort is a list of non-NULL SQL expressions ending in a unique one, so the order is total
/// and "strictly after the last row" is one row comparison, `(k1, k2) > ($1, $2)`, which an index
/// on the same columns answers without reading the rows before it. All SQL text here is chosen by
/// code; the filter and cursor values are always bound.
struct KeysetSource: Sendable {
    /// One column of a sort: an expression of `from` and the type its cursor value is cast to.
    struct Column: Sendable {
        let expression: String
        let type: String

        init(_ expression: String, _ type: String) {
            self.expression = expression
            self.type = type
        }
    }

    /// What the source is called in messages ("live auctions").
    let name: String
    /// The row's columns, in the order its decoder reads them.
    let columns: String
    /// The `FROM` clause: the table and its joins.
    let from: String
    /// What every row satisfies (`a.state = 'active'`).
    let condition: String
    /// What the filter is matched against; a row matches when any of them does.
    let filterColumns: [FilterColumn]
    /// Sort keys in the order they are listed to the caller, with their columns.
    let sorts: [(key: String, columns: [Column])]
    let defaultSort: String
    var defaultDescending = false

    /// The statement for one page: `limit + 1` rows, the extra one only telling that more follow.
    func statement(_ request: PageRequest) throws -> PageStatement {
        let (sort, descending, after) = try request.resolved(name, sorts: sorts.map(\.key), default: defaultSort,
                                                             defaultDescending: defaultDescending)
        let keyColumns = sorts.first { $0.key == sort }!.columns
        var sql = PostgresQuery.StringInterpolation(literalCapacity: 512, interpolationCount: 8)
        sql.appendLiteral("SELECT \(columns)")
        for (index, column) in keyColumns.enumerated() { sql.appendLiteral(", \(column.expression) AS k\(index)") }
        sql.appendLiteral(" FROM \(from) WHERE \(condition)")
        if let pattern = request.likePattern {
            sql.appendLiteral(" AND (")
            for (index, column) in filterColumns.enumerated() {
                sql.appendLiteral(index == 0 ? "" : " OR ")
                switch column {
                case .text(let expression): sql.appendLiteral("\(expression) ILIKE ")
                case .userName(let id): sql.appendLiteral("\(id) IN (SELECT u.id FROM users u WHERE u.name ILIKE ")
                }
                sql.appendInterpolation(pattern)
                if case .userName = column { sql.appendLiteral(")") }
            }
            sql.appendLiteral(")")
        }
        if let after {
            guard after.count == keyColumns.count else {
                throw MarketError(.invalidArgument, "this page position does not fit \(name) sorted by \(sort)")
            }
            sql.appendLiteral(" AND (\(keyColumns.map(\.expression).joined(separator: ", "))) \(descending ? "<" : ">") (")
            for (index, column) in keyColumns.enumerated() {
                sql.appendLiteral(index == 0 ? "" : ", ")
                sql.appendInterpolation(after[index])
                sql.appendLiteral("::\(column.type)")
            }
            sql.appendLiteral(")")
        }
        let direction = descending ? " DESC" : ""
        sql.appendLiteral(" ORDER BY " + keyColumns.map { $0.expression + direction }.joined(separator: ", ") + " LIMIT ")
        sql.appendInterpolation(request.clampedLimit + 1)
        return PageStatement(query: PostgresQuery(stringInterpolation: sql), source: name, limit: request.clampedLimit,
                             sort: sort, descending: descending, keyCount: keyColumns.count)
    }

    /// One page: builds the statement, runs it on the pool and decodes it.
    func fetch<Row>(_ request: PageRequest, on pool: PostgresPool,
                    decode: (PostgresRow) throws -> Row) async throws -> Page<Row> {
        let statement = try statement(request)
        return try statement.page(try await pool.query(statement.query), decode: decode)
    }
}

/// One thing a dashboard filter is matched against.
enum FilterColumn: Sendable, ExpressibleByStringLiteral {
    /// A text expression of the row (NULL meaning "no match"): `expression ILIKE pattern`.
    case text(String)
    /// A user id column of the row, matched by the user's name. Written as
    /// `id IN (SELECT … FROM users WHERE name ILIKE pattern)`, which PostgreSQL reads once into a
    /// hash rather than looking the name up for every row: on a million auctions a filter that
    /// matches almost nothing then costs one pass, not a million index lookups.
    case userName(id: String)

    init(stringLiteral expression: String) {
        self = .text(expression)
    }
}

/// The statement of one keyset page and how to read its result.
struct PageStatement: Sendable {
    let query: PostgresQuery
    let source: String
    let limit: Int
    let sort: String
    let descending: Bool
    /// The sort values at the end of each row.
    let keyCount: Int

    /// Decodes the page; the cursor comes from the key columns of its last row.
    func page<Row>(_ result: PostgresResult, decode: (PostgresRow) throws -> Row) throws -> Page<Row> {
        let shown = result.rows.prefix(limit)
        var next: PageCursor?
        if result.rows.count > limit, let last = shown.last {
            let values = try last.values.suffix(keyCount).map { value in
                guard let value else { throw PostgresError(code: .decodingFailed, message: "a sort value of \(source) is NULL") }
                return value
            }
            next = PageCursor(sort: sort, descending: descending, values: values)
        }
        return Page(rows: try shown.map(decode), next: next)
    }
}
