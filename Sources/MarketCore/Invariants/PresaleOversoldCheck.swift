extension InvariantCheck {
    /// presale-oversold: no presale has sold more than its supply (or a negative count).
    ///
    /// Whether `sold` matches the NFTs minted from a presale cannot be checked: `nfts` does not
    /// record the presale an NFT came from.
    static let presaleOversold = InvariantCheck(id: "presale-oversold", findViolations: presaleOversoldViolations)

    private static func presaleOversoldViolations(in snapshot: InvariantSnapshot) async throws -> [InvariantViolation] {
        let offenders = try await snapshot.offenders("""
            SELECT id, gift, price, supply, sold, count(*) OVER () AS offender_count
            FROM presales WHERE sold < 0 OR sold > supply
            ORDER BY id LIMIT \(reportLimit)
            """)
        return try presaleOversold.violations(offenders, noun: "presales") { row in
            let id = try row.decode(Int64.self, column: "id")
            let supply = try row.decode(Int64.self, column: "supply")
            let sold = try row.decode(Int64.self, column: "sold")
            let problem = sold < 0 ? "sold count \(sold) is negative"
                                   : "sold \(sold) of a supply of \(supply) (oversold by \(sold - supply))"
            return ("presale \(id): \(problem)", [row.rendered(as: "presales", ["id", "gift", "price", "supply", "sold"])])
        }
    }
}
