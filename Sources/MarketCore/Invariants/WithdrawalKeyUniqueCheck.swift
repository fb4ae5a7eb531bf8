extension InvariantCheck {
    /// withdrawal-key-unique: no user has two withdrawals with one idempotency key (the unique
    /// constraint guarantees it; checking costs nothing and catches a dropped constraint).
    static let withdrawalKeyUnique = InvariantCheck(id: "withdrawal-key-unique",
                                                    findViolations: withdrawalKeyUniqueViolations)

    private static func withdrawalKeyUniqueViolations(in snapshot: InvariantSnapshot) async throws -> [InvariantViolation] {
        let rows = try await snapshot.rows("""
            WITH duplicated AS (
                SELECT user_id, idempotency_key, count(*) OVER () AS offender_count
                FROM withdrawals GROUP BY user_id, idempotency_key HAVING count(*) > 1
                ORDER BY user_id, idempotency_key LIMIT \(reportLimit)
            )
            SELECT w.id, w.user_id, w.idempotency_key, w.amount, w.state, d.offender_count
            FROM withdrawals w JOIN duplicated d USING (user_id, idempotency_key)
            ORDER BY w.user_id, w.idempotency_key, w.id
            """)
        let total = try rows.first?.decode(Int.self, column: "offender_count") ?? 0
        var groups: [(user: Int64, key: String, rows: [PostgresRow])] = []
        for row in rows {
            let user = try row.decode(Int64.self, column: "user_id")
            let key = try row.decode(String.self, column: "idempotency_key")
            if let last = groups.last, last.user == user, last.key == key {
                groups[groups.count - 1].rows.append(row)
            } else {
                groups.append((user, key, [row]))
            }
        }
        var violations = try groups.map { group in
            let ids = try group.rows.map { try $0.decode(Int64.self, column: "id") }
            return InvariantViolation(
                invariant: withdrawalKeyUnique.id,
                message: "user \(group.user): idempotency key \(group.key.debugDescription) is used by "
                    + "\(ids.count) withdrawals (ids \(ids.map(String.init).joined(separator: ", ")))",
                rows: group.rows.map { $0.rendered(as: "withdrawals", ["id", "user_id", "idempotency_key", "amount", "state"]) })
        }
        if let line = withdrawalKeyUnique.countLine(total: total, reported: groups.count, noun: "idempotency keys") {
            violations.append(line)
        }
        return violations
    }
}
