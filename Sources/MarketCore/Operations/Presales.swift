extension Market {
    /// Buys `quantity` NFTs of a presale at its price, minted to the buyer; never beyond the supply.
    /// Returns the new NFTs' ids.
    public func buyPresale(_ presale: Int64, buyer: Int64, quantity: Int = 1) async throws -> [Int64] {
        guard quantity > 0 else { throw MarketError(.invalidArgument, "quantity must be positive") }
        return try await locked(OperationLockKeys.presale(presale), "presale.buy") { uow in
            guard let row = try await uow.query("""
                SELECT gift, price, supply, sold FROM presales WHERE id = \(presale) FOR UPDATE OF presales
                """).first else {
                throw MarketError(.notFound, "presale \(presale) does not exist")
            }
            let gift = try row.decode(String.self, at: 0)
            let price = try row.decode(Int64.self, at: 1)
            let supply = try row.decode(Int.self, at: 2)
            let sold = try row.decode(Int.self, at: 3)
            guard sold + quantity <= supply else {
                throw MarketError(.invalidState, "presale \(presale) has \(supply - sold) of \(supply) left, \(quantity) asked")
            }
            let total = price * Int64(quantity)
            let accounts = try await uow.lockAccounts([buyer])
            try uow.requireFunds(accounts[buyer]!, total, for: "\(quantity) × \(gift)")
            try await uow.execute("UPDATE presales SET sold = sold + \(quantity) WHERE id = \(presale)")
            let minted = try await uow.query("""
                INSERT INTO nfts (gift, serial, owner_id)
                SELECT \(gift), \(sold) + n, \(buyer) FROM generate_series(1, \(quantity)) AS n RETURNING id
                """)
            try await uow.post(buyer, -total, kind: "presale", reference: "presale:\(presale)")
            try await uow.post(platformAccount, total, kind: "presale", reference: "presale:\(presale)")
            return try minted.rows.map { try $0.decode(Int64.self, at: 0) }
        }
    }
}
