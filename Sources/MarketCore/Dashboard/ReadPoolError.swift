/// A dashboard read that failed on the read pool (the server ``MarketConfiguration/readDatabase``
/// names, usually a standby), not on the primary: actions, which go to the primary, may still work,
/// so a console says which of the two is down.
public struct ReadPoolError: Error, CustomStringConvertible, Sendable {
    /// What the read pool's server or libpq said.
    public let underlying: PostgresError

    public var description: String { "read pool: \(underlying)" }
}
