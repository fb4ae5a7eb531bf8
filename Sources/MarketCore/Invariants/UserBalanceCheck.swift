extension InvariantCheck {
    /// user-balance: every user's (the platform's too) balance + held equals the sum of their
    /// ledger rows, and neither balance nor held is negative.
    static let userBalance = InvariantCheck(id: "user-balance", findViolations: userBalanceViolations)

    private static func userBalanceViolations(in snapshot: InvariantSnapshot) async throws -> [InvariantViolation] {
        let offenders = try await snapshot.offenders("""
            WITH sums AS (
                SELECT account_id, count(*) AS ledger_rows, sum(delta) AS ledger_sum FROM ledger GROUP BY account_id
            )
            SELECT u.id, u.name, u.is_platform, u.balance, u.held, u.deleted_at,
                   u.balance::numeric + u.held AS total,
                   COALESCE(s.ledger_rows, 0) AS ledger_rows, COALESCE(s.ledger_sum, 0) AS ledger_sum,
                   count(*) OVER () AS offender_count
            FROM users u LEFT JOIN sums s ON s.account_id = u.id
            WHERE u.balance::numeric + u.held <> COALESCE(s.ledger_sum, 0) OR u.balance < 0 OR u.held < 0
            ORDER BY u.id LIMIT \(reportLimit)
            """)
        return try userBalance.violations(offenders, noun: "users") { row in
            let id = try row.decode(Int64.self, column: "id")
            let balance = try row.decode(Int64.self, column: "balance")
            let held = try row.decode(Int64.self, column: "held")
            let total = try row.decode(String.self, column: "total")
            let ledgerSum = try row.decode(String.self, column: "ledger_sum")
            var problems: [String] = []
            if total != ledgerSum { problems.append("balance \(balance) + held \(held) = \(total) but ledger sum is \(ledgerSum)") }
            if balance < 0 { problems.append("balance \(balance) is negative") }
            if held < 0 { problems.append("held \(held) is negative") }
            let who = try row.decode(Bool.self, column: "is_platform") ? "user \(id) (platform)" : "user \(id)"
            return ("\(who): " + problems.joined(separator: "; "), [
                row.rendered(as: "users", ["id", "name", "balance", "held", "deleted_at"]),
                row.rendered(as: "ledger", ["account_id": "id", "rows": "ledger_rows", "sum": "ledger_sum"]),
            ])
        }
    }
}
