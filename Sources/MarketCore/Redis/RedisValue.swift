/// A reply from Redis.
public enum RedisValue: Sendable, Equatable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    /// A bulk string, binary-safe.
    case bulkString([UInt8])
    case null
    case array([RedisValue])

    /// The reply as text, for simple and bulk strings and integers.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        default: nil
        }
    }

    /// The reply as an integer, for integer replies and numeric strings.
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulkString, .simpleString: string.flatMap { Int64($0) }
        default: nil
        }
    }

    /// The elements of an array reply; empty for anything else.
    public var array: [RedisValue] {
        if case .array(let values) = self { return values }
        return []
    }

}

/// One argument of a Redis command: text or raw bytes, sent binary-safe with its length.
public struct RedisArgument: Sendable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public let bytes: [UInt8]
    public init(_ text: String) { bytes = Array(text.utf8) }
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ value: Int64) { self.init(String(value)) }
    public init(_ value: Int) { self.init(String(value)) }
    public init(stringLiteral value: String) { self.init(value) }
}
