import Foundation

/// A PostgreSQL session of a market process with a transaction open: what the stuck-lock detector
/// matches against Redis lock holders (each market process names its sessions
/// `market-console host:pid`, see ``PostgresConfiguration/applicationName``).
public struct OpenTransaction: Sendable, Equatable, Codable, Identifiable {
    /// The backend's pid.
    public var id: Int32
    public var application: String
    /// `active`, `idle in transaction`, `idle in transaction (aborted)`.
    public var state: String
    public var transactionStart: Date
    /// When the session last changed state (for an idle transaction: since when it sits idle).
    public var stateChange: Date?
    /// The first 200 characters of the session's current or last statement.
    public var query: String

    public init(id: Int32, application: String, state: String, transactionStart: Date, stateChange: Date?, query: String) {
        self.id = id
        self.application = application
        self.state = state
        self.transactionStart = transactionStart
        self.stateChange = stateChange
        self.query = query
    }
}

extension OpenTransaction {
    /// Sessions of this database in a transaction, oldest transaction first, this backend left out.
    static let query: PostgresQuery = """
        SELECT pid, COALESCE(application_name, ''), COALESCE(state, ''), xact_start, state_change,
               left(COALESCE(query, ''), 200)
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL
        ORDER BY xact_start
        LIMIT 200
        """

    init(row: PostgresRow) throws {
        self.init(id: try row.decode(at: 0), application: try row.decode(at: 1), state: try row.decode(at: 2),
                  transactionStart: try row.decode(at: 3), stateChange: try row.decode(Date?.self, at: 4),
                  query: try row.decode(at: 5))
    }
}
