/// One versioned step of the schema.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    /// SQL text run in one transaction (several statements allowed; no parameters).
    public let sql: String
}
