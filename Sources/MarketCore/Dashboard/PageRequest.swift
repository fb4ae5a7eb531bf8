/// Which rows of a dashboard source to fetch: a sort, an optional filter, and a keyset position.
///
/// ```swift
/// var request = PageRequest(sort: "ends_at", limit: 20)
/// let first = try await queries.liveAuctions(request)
/// request.after = first.next          // the next 20, strictly after the last row shown
/// let second = try await queries.liveAuctions(request)
/// ```
/// Pages are keyset pages, not offsets: a page starts strictly after the sort value and id of the
/// last row of the page before, so rows that come or go between refreshes never make a row show
/// twice or be skipped, and the thousandth page costs what the first does on an indexed sort.
public struct PageRequest: Sendable, Hashable {
    /// A column key the source allows (e.g. `"ends_at"`, `"current_bid"`, `"id"`); an unknown key is
    /// refused with a ``MarketError`` of kind `.invalidArgument` that lists the allowed ones. Empty
    /// means the source's default order (for the audit log: newest first); `descending` then reverses it.
    public var sort: String
    /// Largest first. Ties on the sort value are broken by the row's id, in the same direction.
    public var descending: Bool
    /// Case-insensitive substring matched against the source's text columns; empty matches every row.
    /// Always sent as a bound parameter.
    public var filter: String
    /// Rows per page, clamped to 1...500.
    public var limit: Int
    /// The position to continue after (``Page/next`` of the previous page); nil for the first page.
    public var after: PageCursor?

    /// A request for the first page (or the one `after` a cursor) in the given order.
    public init(sort: String, descending: Bool = false, filter: String = "", limit: Int = 50, after: PageCursor? = nil) {
        self.sort = sort
        self.descending = descending
        self.filter = filter
        self.limit = limit
        self.after = after
    }

    /// The most rows one page returns.
    public static let maxLimit = 500

    /// ``limit`` clamped to what a page may hold.
    var clampedLimit: Int { min(max(limit, 1), Self.maxLimit) }

    /// The sort key and direction this request resolves to, checked against what `source` allows,
    /// together with the values to continue after (nil on the first page).
    func resolved(_ source: String, sorts: [String], default defaultSort: String,
                  defaultDescending: Bool = false) throws -> (sort: String, descending: Bool, after: [String]?) {
        let key = sort.isEmpty ? defaultSort : sort
        guard sorts.contains(key) else {
            throw MarketError(.invalidArgument, "\(source) cannot be sorted by \"\(sort)\"; sort by one of: "
                              + sorts.joined(separator: ", "))
        }
        let direction = sort.isEmpty ? defaultDescending != descending : descending
        guard let after else { return (key, direction, nil) }
        guard after.sort == key, after.descending == direction else {
            throw MarketError(.invalidArgument, "this page position belongs to \(source) sorted by \(after.sort)"
                              + "\(after.descending ? " descending" : ""), not by \(key)\(direction ? " descending" : ""); "
                              + "start again from the first page")
        }
        return (key, direction, after.values)
    }
}

/// Where a page ends: the sort value and id of its last row, in the order it was sorted by.
///
/// Opaque to callers: take it from ``Page/next`` and hand it back in ``PageRequest/after``. A
/// cursor only continues the order it came from; used with another sort it is refused.
public struct PageCursor: Sendable, Hashable {
    let sort: String
    let descending: Bool
    /// The row's sort values, most significant first, ending in its id.
    let values: [String]
}

/// One page of rows and where the next one starts.
public struct Page<Row: Sendable>: Sendable {
    /// The rows, in the requested order; at most the request's limit.
    public var rows: [Row]
    /// The position after the last row; nil when this is the last page.
    public var next: PageCursor?

    /// A page of `rows`; `next` is nil when it is the last one.
    public init(rows: [Row], next: PageCursor?) {
        self.rows = rows
        self.next = next
    }
}

extension Page: Equatable where Row: Equatable {}

extension PageRequest {
    /// The filter as an `ILIKE` pattern matching it anywhere, its wildcards escaped; nil without a filter.
    var likePattern: String? {
        guard !filter.isEmpty else { return nil }
        var escaped = ""
        for character in filter {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }
}
