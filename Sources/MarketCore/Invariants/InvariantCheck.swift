/// One invariant the checker runs: a short id and how to find the rows that break it.
struct InvariantCheck: Sendable {
    let id: String
    let findViolations: @Sendable (InvariantSnapshot) async throws -> [InvariantViolation]

    /// Every check, in the order ``InvariantChecker/check()`` runs them.
    static let all: [InvariantCheck] = [
        .ledgerTotal, .userBalance, .heldTotal, .nftOwnerState,
        .presaleOversold, .withdrawalKeyUnique, .auctionBid, .channelTransfer,
    ]

    /// At most this many offending entities are reported per invariant; a count line tells the rest.
    static let reportLimit = 50

    /// The count line for offenders beyond ``reportLimit``, or nil when all were reported.
    func countLine(total: Int, reported: Int, noun: String) -> InvariantViolation? {
        guard total > reported else { return nil }
        return InvariantViolation(invariant: id, message: "\(total - reported) more \(noun) break \(id) "
                                  + "(\(total) in all; only the first \(reported) are listed)")
    }

    /// One violation per offending row, plus the count line when there were more than reported.
    func violations(_ offenders: (rows: [PostgresRow], total: Int), noun: String,
                    describe: (PostgresRow) throws -> (message: String, rows: [String])) throws -> [InvariantViolation] {
        var violations = try offenders.rows.map { row in
            let (message, rows) = try describe(row)
            return InvariantViolation(invariant: id, message: message, rows: rows)
        }
        if let line = countLine(total: offenders.total, reported: offenders.rows.count, noun: noun) {
            violations.append(line)
        }
        return violations
    }
}
