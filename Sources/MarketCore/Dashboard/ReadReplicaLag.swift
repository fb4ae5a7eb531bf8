/// How far the read pool's server is behind the primary, as the standby itself sees it.
///
/// Measured as `now() - pg_last_xact_replay_timestamp()`, the age of the last transaction the
/// standby replayed, because operators think in seconds of staleness, not WAL bytes, and because
/// it needs no second connection to the primary (an LSN difference compares the primary's
/// `pg_current_wal_lsn()` with the standby's `pg_last_wal_replay_lsn()`, two servers read at two
/// moments). That age also grows while the primary is simply idle, so when everything the standby
/// has received is replayed (`pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()`), the lag is 0.
public struct ReadReplicaLag: Sendable, Equatable {
    /// False when the read URL leads to a primary (no standby, or `prefer-standby` found none).
    public var isStandby: Bool
    /// Seconds of replay lag on a standby; nil on a primary, or before anything was replayed.
    public var seconds: Double?

    public init(isStandby: Bool, seconds: Double?) {
        self.isStandby = isStandby
        self.seconds = seconds
    }

    static let query: PostgresQuery = """
        SELECT pg_is_in_recovery(),
               CASE WHEN NOT pg_is_in_recovery() THEN NULL
                    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 END
        """

    init(row: PostgresRow) throws {
        isStandby = try row.decode(Bool.self, at: 0)
        seconds = try row.decode(Double?.self, at: 1)
    }
}
