/// Reads on a hot standby can be cancelled when replaying the primary's changes needs what they
/// hold (a row version VACUUM removed, a lock): PostgreSQL 15 cancels them with SQLSTATE `40001`
/// and "canceling statement due to conflict with recovery" (`57P04` when the database itself was
/// dropped, which no retry cures). Such a read is worth running once more: the conflict has
/// been replayed by then.
public enum RecoveryConflict {
    /// True for an error a standby raised because a read conflicted with recovery.
    public static func matches(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError, error.sqlState == "40001" else { return false }
        return error.message.contains("conflict with recovery")
    }

    /// Runs `read`, and once more when the first try was cancelled by a recovery conflict.
    public static func retryingOnce<T>(_ read: () async throws -> T) async throws -> T {
        do {
            return try await read()
        } catch where matches(error) {
            return try await read()
        }
    }
}
