/// A SQL statement whose interpolated values are bound parameters, never spliced text.
///
/// ```swift
/// let query: PostgresQuery = "SELECT * FROM auctions WHERE id = \(auctionID) FOR UPDATE OF auctions"
/// // sql: "SELECT * FROM auctions WHERE id = $1 FOR UPDATE OF auctions", binds: ["42"]
/// ```
/// Text that must be spliced (an identifier chosen by code, never by input) goes through
/// `\(unsafeSQL:)` or ``init(unsafeSQL:binds:)``.
public struct PostgresQuery: Sendable, Hashable, ExpressibleByStringInterpolation {
    /// The statement with `$n` placeholders.
    public var sql: String
    /// The parameters in text format; `nil` is SQL NULL.
    public var binds: [String?]

    public init(unsafeSQL sql: String, binds: [String?] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    /// Builds the SQL text and its binds as a literal is interpolated.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [String?] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a value as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value.postgresText)
            sql += "$\(binds.count)"
        }

        /// Binds an optional value; `nil` becomes SQL NULL.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value?.postgresText)
            sql += "$\(binds.count)"
        }

        /// Splices text into the statement as it is. Only for identifiers chosen by code.
        public mutating func appendInterpolation(unsafeSQL text: String) {
            sql += text
        }
    }
}
