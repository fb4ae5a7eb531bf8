import Foundation

/// Applies the schema's migrations in order, each in its own transaction, recording them in
/// `schema_migrations`. Running it again applies nothing. Concurrent migrators serialize on an
/// advisory lock, so two consoles starting together cannot both apply a step.
public struct Migrator: Sendable {
    /// Every migration, oldest first.
    public static let all: [Migration] = [.v1Market, .v2Fencing, .v3Dashboard, .v4Approvals, .v5FenceUpdates, .v6OperatorRoles, .v7OperatorActions,
                                           .v8Reconciler, .v9FallbackFences, .v10ActionPlans]

    /// The newest schema version this build knows.
    public static var latestVersion: Int { all.last?.version ?? 0 }

    private let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Applies what is missing; returns the versions applied now (empty when up to date).
    @discardableResult
    public func migrate(progress: @Sendable (String) -> Void = { _ in }) async throws -> [Int] {
        // Up to date: no DDL at all, so an operator login (which may create nothing) connects.
        if try await isUpToDate() { return [] }
        return try await pool.withConnection { connection in
            if let schema = pool.configuration.schema {
                _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(Self.quoteIdentifier(schema))"))
            }
            _ = try await connection.simpleQuery("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY,
                    name       TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """)
            var applied: [Int] = []
            for migration in Self.all {
                _ = try await connection.simpleQuery("BEGIN")
                do {
                    _ = try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockID))")
                    let done = try await connection.query("SELECT 1 FROM schema_migrations WHERE version = \(migration.version)")
                    if done.rows.isEmpty {
                        progress("applying migration \(migration.version): \(migration.name)")
                        _ = try await connection.simpleQuery(migration.sql)
                        _ = try await connection.query(
                            "INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
                        applied.append(migration.version)
                    }
                    _ = try await connection.simpleQuery("COMMIT")
                } catch {
                    _ = try? await connection.simpleQuery("ROLLBACK")
                    throw error
                }
            }
            return applied
        }
    }

    /// Whether the configured schema exists and holds every migration. (A schema that does not
    /// exist yet falls out of `search_path`, which would otherwise find another schema's table.)
    private func isUpToDate() async throws -> Bool {
        if let schema = pool.configuration.schema {
            let exists = try await pool.query("SELECT to_regnamespace(\(Self.quoteIdentifier(schema))) IS NOT NULL")
            guard try exists.rows[0].decode(Bool.self, at: 0) else { return false }
        }
        return try await currentVersion() == Self.latestVersion
    }

    /// The highest applied version, or 0 on an empty database.
    public func currentVersion() async throws -> Int {
        let exists = try await pool.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard try exists.rows[0].decode(Bool.self, at: 0) else { return 0 }
        let result = try await pool.query("SELECT COALESCE(max(version), 0) FROM schema_migrations")
        return try result.rows[0].decode(Int.self, at: 0)
    }

    /// An arbitrary constant: the advisory lock id migrators serialize on.
    static let migrationLockID: Int64 = 0x4D43_4D49_4752

    /// `name` as a quoted SQL identifier (for a schema name in DDL, which cannot be a bind parameter).
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
