/// Checks the market's invariants (DOMAIN.md) against one consistent snapshot of the database.
///
/// ```swift
/// let violations = try await InvariantChecker(pool: services.pool).check()
/// for violation in violations { print(violation) }   // empty: the market is consistent
/// ```
/// Read-only: it never locks or changes a row, so it may run against a live market.
public struct InvariantChecker: Sendable {
    private let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The ids of the invariants ``check()`` runs, in the order it runs them.
    public static var invariants: [String] { InvariantCheck.all.map(\.id) }

    /// Runs every check in one REPEATABLE READ READ ONLY transaction (one consistent snapshot) and
    /// returns all violations (empty = clean).
    public func check() async throws -> [InvariantViolation] {
        try await pool.withConnection { connection in
            let snapshot = InvariantSnapshot(connection: connection)
            try await snapshot.begin()
            do {
                var violations: [InvariantViolation] = []
                for check in InvariantCheck.all {
                    violations += try await check.findViolations(snapshot)
                }
                try await snapshot.commit()
                return violations
            } catch {
                await snapshot.rollBack()
                throw error
            }
        }
    }
}
