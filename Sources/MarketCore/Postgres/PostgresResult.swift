/// The rows a statement returned, copied out of libpq so they outlive the connection.
public struct PostgresResult: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// The rows, each a list of text values (`nil` is NULL).
    public let rows: [PostgresRow]
    /// Rows inserted, updated or deleted, from the command tag (0 for a SELECT's tag-less count).
    public let affectedRows: Int

    /// The first row, if any.
    public var first: PostgresRow? { rows.first }
}

/// One row of a ``PostgresResult``; values are decoded by position or by column name.
public struct PostgresRow: Sendable {
    let columns: [String]
    /// The raw text values; `nil` is NULL.
    public let values: [String?]

    /// Decodes the value at `index`; throws when it is NULL or not of that type.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, at index: Int) throws -> Value {
        guard index < values.count else {
            throw PostgresError(code: .decodingFailed, message: "column \(index) does not exist (row has \(values.count))")
        }
        guard let text = values[index] else {
            throw PostgresError(code: .decodingFailed, message: "column \(columns[index]) is NULL, expected \(Value.self)")
        }
        guard let value = Value(postgresText: text) else {
            throw PostgresError(code: .decodingFailed, message: "column \(columns[index]) is not a \(Value.self)")
        }
        return value
    }

    /// Decodes the value at `index`, or nil when it is NULL.
    public func decode<Value: PostgresDecodable>(_ type: Value?.Type, at index: Int) throws -> Value? {
        guard index < values.count, values[index] != nil else { return nil }
        return try decode(Value.self, at: index)
    }

    /// Decodes the value of column `name`.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, column name: String) throws -> Value {
        try decode(type, at: try index(of: name))
    }

    /// Decodes the value of column `name`, or nil when it is NULL.
    public func decode<Value: PostgresDecodable>(_ type: Value?.Type, column name: String) throws -> Value? {
        try decode(type, at: try index(of: name))
    }

    private func index(of name: String) throws -> Int {
        guard let index = columns.firstIndex(of: name) else {
            throw PostgresError(code: .decodingFailed, message: "no column named \(name)")
        }
        return index
    }
}
