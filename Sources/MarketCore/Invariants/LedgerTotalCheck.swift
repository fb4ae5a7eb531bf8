extension InvariantCheck {
    /// ledger-total: the sum of all ledger rows equals deposits minus withdrawals that are pending
    /// or sent (a withdrawal is debited when created pending; a failed one is refunded).
    static let ledgerTotal = InvariantCheck(id: "ledger-total", findViolations: ledgerTotalViolations)

    private static func ledgerTotalViolations(in snapshot: InvariantSnapshot) async throws -> [InvariantViolation] {
        let rows = try await snapshot.rows("""
            WITH totals AS (
                SELECT (SELECT COALESCE(sum(delta), 0) FROM ledger) AS ledger_sum,
                       (SELECT COALESCE(sum(delta), 0) FROM ledger WHERE kind = 'deposit') AS deposits,
                       (SELECT COALESCE(sum(amount), 0) FROM withdrawals WHERE state IN ('pending', 'sent')) AS withdrawn
            )
            SELECT ledger_sum, deposits, withdrawn, deposits - withdrawn AS expected,
                   ledger_sum - (deposits - withdrawn) AS difference
            FROM totals WHERE ledger_sum <> deposits - withdrawn
            """)
        guard let totals = rows.first else { return [] }
        // Sums are NUMERIC (they cannot overflow); shown as the server prints them.
        let ledgerSum = try totals.decode(String.self, column: "ledger_sum")
        let deposits = try totals.decode(String.self, column: "deposits")
        let withdrawn = try totals.decode(String.self, column: "withdrawn")
        let expected = try totals.decode(String.self, column: "expected")
        let difference = try totals.decode(String.self, column: "difference")
        return [InvariantViolation(
            invariant: ledgerTotal.id,
            message: "ledger sum is \(ledgerSum) but deposits \(deposits) − pending/sent withdrawals \(withdrawn) "
                + "= \(expected) (difference \(difference))",
            rows: try await ledgerBreakdown(in: snapshot))]
    }

    /// Where the money is: the ledger summed per kind and withdrawals per state.
    private static func ledgerBreakdown(in snapshot: InvariantSnapshot) async throws -> [String] {
        let kinds = try await snapshot.rows(
            "SELECT kind, count(*) AS rows, sum(delta) AS sum FROM ledger GROUP BY kind ORDER BY kind")
        let states = try await snapshot.rows(
            "SELECT state, count(*) AS rows, sum(amount) AS sum FROM withdrawals GROUP BY state ORDER BY state")
        return kinds.map { $0.rendered(as: "ledger", ["kind", "rows", "sum"]) }
            + states.map { $0.rendered(as: "withdrawals", ["state", "rows", "sum"]) }
    }
}
