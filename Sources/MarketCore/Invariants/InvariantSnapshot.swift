/// The checks' view of the database: one connection inside one REPEATABLE READ READ ONLY
/// transaction, so every check sees the same committed state.
struct InvariantSnapshot: Sendable {
    let connection: PostgresConnection

    func begin() async throws {
        _ = try await run { try await $0.simpleQuery("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") }
    }

    func commit() async throws {
        _ = try await run { try await $0.simpleQuery("COMMIT") }
    }

    /// Best effort: a connection left inside a transaction is closed by its pool anyway.
    func rollBack() async {
        _ = try? await connection.simpleQuery("ROLLBACK")
    }

    /// Runs one read in the snapshot and returns its rows.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await run { try await $0.query(query) }.rows
    }

    /// Rows of an offenders query (at most ``InvariantCheck/reportLimit``) and how many offenders
    /// there are in all, read from the query's `offender_count` column (`count(*) OVER ()`).
    func offenders(_ query: PostgresQuery) async throws -> (rows: [PostgresRow], total: Int) {
        let rows = try await rows(query)
        let total = try rows.first?.decode(Int.self, column: "offender_count") ?? 0
        return (rows, total)
    }

    /// A statement that a cancelled task stops on the server instead of waiting for.
    private func run(_ body: (PostgresConnection) async throws -> PostgresResult) async throws -> PostgresResult {
        let connection = self.connection
        return try await withTaskCancellationHandler {
            try await body(connection)
        } onCancel: {
            connection.cancelRunningStatement()
        }
    }
}
