import Foundation

/// A PostgreSQL session that waits for a lock, or holds one somebody waits for.
///
/// The list has both sides, so the console can draw blocker → blocked trees: a session blocked by
/// several others names them all in ``blockedBy``; a blocker that waits for nobody has it empty.
public struct PostgresLockWait: Sendable, Equatable, Codable, Identifiable {
    /// The backend's pid.
    public var id: Int32
    /// The pids holding (or ahead in the queue for) the lock this session waits for (`pg_blocking_pids`).
    public var blockedBy: [Int32]
    /// The database role of the session.
    public var user: String
    /// The session's `application_name`.
    public var application: String
    /// `active`, `idle in transaction`, …
    public var state: String
    /// `Lock:transactionid`, `Lock:relation`, `Lock:advisory`, …; nil when not waiting.
    public var waitEvent: String?
    /// The first 200 characters of the session's current or last statement.
    public var query: String
    /// When the session's transaction began; nil outside a transaction.
    public var transactionStart: Date?
    /// When its current (or last) statement began.
    public var queryStart: Date?
    /// When the session began to wait for its lock; nil for a blocker that is not waiting.
    public var waitingSince: Date?

    /// A session as the console shows it.
    public init(id: Int32, blockedBy: [Int32], user: String, application: String, state: String, waitEvent: String?,
                query: String, transactionStart: Date?, queryStart: Date?, waitingSince: Date?) {
        self.id = id
        self.blockedBy = blockedBy
        self.user = user
        self.application = application
        self.state = state
        self.waitEvent = waitEvent
        self.query = query
        self.transactionStart = transactionStart
        self.queryStart = queryStart
        self.waitingSince = waitingSince
    }
}

extension PostgresLockWait {
    /// Every session of this database that is blocked or blocks, in pid order, this backend left out.
    /// `pg_blocking_pids` (which takes the lock manager's partition locks) runs only for sessions
    /// that wait on a lock, and `pg_locks` is read only for sessions in the result.
    static let query: PostgresQuery = """
        WITH sessions AS (
            SELECT pid, CASE WHEN wait_event_type = 'Lock' THEN pg_blocking_pids(pid) ELSE '{}'::int[] END AS blocked_by,
                   usename, application_name, state, wait_event_type, wait_event, query, xact_start, query_start
            FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
        )
        SELECT s.pid, to_json(s.blocked_by)::text, COALESCE(s.usename, ''), COALESCE(s.application_name, ''),
               COALESCE(s.state, ''), s.wait_event_type || ':' || s.wait_event, left(COALESCE(s.query, ''), 200),
               s.xact_start, s.query_start,
               CASE WHEN cardinality(s.blocked_by) > 0
                    THEN (SELECT min(l.waitstart) FROM pg_locks l WHERE l.pid = s.pid AND NOT l.granted) END
        FROM sessions s
        WHERE cardinality(s.blocked_by) > 0 OR s.pid IN (SELECT unnest(blocked_by) FROM sessions)
        ORDER BY s.pid
        """

    init(row: PostgresRow) throws {
        self.init(id: try row.decode(at: 0), blockedBy: try row.decodeJSON([Int32].self, at: 1).sorted(),
                  user: try row.decode(at: 2), application: try row.decode(at: 3), state: try row.decode(at: 4),
                  waitEvent: try row.decode(String?.self, at: 5), query: try row.decode(at: 6),
                  transactionStart: try row.decode(Date?.self, at: 7), queryStart: try row.decode(Date?.self, at: 8),
                  waitingSince: try row.decode(Date?.self, at: 9))
    }
}
