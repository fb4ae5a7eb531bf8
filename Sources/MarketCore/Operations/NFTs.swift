/// An NFT as locked in a Unit of Work.
struct NFTRow: Sendable {
    let id: Int64
    let owner: Int64
    let price: Int64?
    let state: String
}

extension UnitOfWork {
    func lockNFT(_ id: Int64) async throws -> NFTRow {
        guard let row = try await query("SELECT id, owner_id, price, state FROM nfts WHERE id = \(id) FOR UPDATE OF nfts").first else {
            throw MarketError(.notFound, "NFT \(id) does not exist")
        }
        return NFTRow(id: try row.decode(at: 0), owner: try row.decode(at: 1), price: try row.decode(Int64?.self, at: 2),
                      state: try row.decode(at: 3))
    }

    /// Locks NFTs in id order; every one must exist.
    func lockNFTs(_ ids: [Int64]) async throws -> [NFTRow] {
        let unique = Array(Set(ids)).sorted()
        let rows = try await query("""
            SELECT id, owner_id, price, state FROM nfts WHERE id = ANY(\(Self.bigintArray(unique))::bigint[])
            ORDER BY id FOR UPDATE OF nfts
            """).rows
        let nfts = try rows.map { row in
            NFTRow(id: try row.decode(at: 0), owner: try row.decode(at: 1), price: try row.decode(Int64?.self, at: 2),
                   state: try row.decode(at: 3))
        }
        if let missing = unique.first(where: { id in !nfts.contains { $0.id == id } }) {
            throw MarketError(.notFound, "NFT \(missing) does not exist")
        }
        return nfts
    }

    func setNFT(_ id: Int64, owner: Int64? = nil, state: String, price: Int64? = nil) async throws {
        try await execute("""
            UPDATE nfts SET owner_id = COALESCE(\(owner), owner_id), state = \(state), price = \(price),
            version = version + 1, updated_at = now() WHERE id = \(id)
            """)
    }
}

extension NFTRow {
    func requireOwner(_ user: Int64) throws {
        guard owner == user else { throw MarketError(.notOwner, "NFT \(id) belongs to user \(owner), not \(user)") }
    }

    func requireState(_ allowed: Set<String>) throws {
        guard allowed.contains(state) else { throw MarketError(.invalidState, "NFT \(id) is \(state)") }
    }
}

extension Market {
    /// Lists an NFT for sale, or changes its price.
    public func setPrice(nft: Int64, owner: Int64, price: Int64) async throws {
        let price = try price.requirePositive("a price")
        try await locked(OperationLockKeys.nft(nft), "nft.set_price") { uow in
            let row = try await uow.lockNFT(nft)
            try row.requireOwner(owner)
            try row.requireState(["owned", "listed"])
            try await uow.setNFT(nft, state: "listed", price: price)
        }
    }

    /// Takes a listed NFT off sale.
    public func takeOffSale(nft: Int64, owner: Int64) async throws {
        try await locked(OperationLockKeys.nft(nft), "nft.back") { uow in
            let row = try await uow.lockNFT(nft)
            try row.requireOwner(owner)
            try row.requireState(["listed"])
            try await uow.setNFT(nft, state: "owned")
        }
    }

    /// Buys a listed NFT at its price: buyer pays, seller gets the price less commission.
    public func buy(nft: Int64, buyer: Int64) async throws {
        let rules = self.rules
        try await locked(OperationLockKeys.nft(nft), "nft.buy") { uow in
            let row = try await uow.lockNFT(nft)
            guard row.state == "listed", let price = row.price else {
                throw MarketError(.invalidState, "NFT \(nft) is not for sale (\(row.state))")
            }
            guard row.owner != buyer else { throw MarketError(.invalidArgument, "user \(buyer) already owns NFT \(nft)") }
            let accounts = try await uow.lockAccounts([buyer, row.owner])
            try uow.requireFunds(accounts[buyer]!, price, for: "NFT \(nft)")
            try await uow.setNFT(nft, owner: buyer, state: "owned")
            try await uow.settleSale(buyer: buyer, seller: row.owner, price: price, commission: rules.commission(on: price),
                                     reference: "nft:\(nft)", fromHeld: false)
        }
    }
}
