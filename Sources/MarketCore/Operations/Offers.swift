extension Market {
    /// A buyer offers `amount` for an NFT; the money is held until the offer is accepted or released.
    /// Returns the offer's id.
    public func makeOffer(nft: Int64, buyer: Int64, amount: Int64) async throws -> Int64 {
        let amount = try amount.requirePositive("an offer")
        return try await locked(OperationLockKeys.nft(nft), "offer.make") { uow in
            let row = try await uow.lockNFT(nft)
            guard row.owner != buyer else { throw MarketError(.invalidArgument, "user \(buyer) already owns NFT \(nft)") }
            let accounts = try await uow.lockAccounts([buyer])
            try uow.requireFunds(accounts[buyer]!, amount, for: "an offer on NFT \(nft)")
            try await uow.adjust(buyer, balance: -amount, held: amount)
            let created = try await uow.query("""
                INSERT INTO offers (nft_id, buyer_id, amount) VALUES (\(nft), \(buyer), \(amount)) RETURNING id
                """)
            return try created.rows[0].decode(Int64.self, at: 0)
        }
    }

    /// The owner accepts an offer: the NFT and the money change hands, every other open offer on
    /// the NFT is released.
    public func acceptOffer(_ offer: Int64, owner: Int64) async throws {
        guard let found = try await services.pool.query("SELECT nft_id FROM offers WHERE id = \(offer)").first else {
            throw MarketError(.notFound, "offer \(offer) does not exist")
        }
        let nft = try found.decode(Int64.self, at: 0)
        let rules = self.rules
        try await locked(OperationLockKeys.nft(nft), "offer.accept") { uow in
            let row = try await uow.lockNFT(nft)
            try row.requireOwner(owner)
            try row.requireState(["owned", "listed"])
            let offers = try await uow.query("""
                SELECT id, buyer_id, amount FROM offers WHERE nft_id = \(nft) AND state = 'open' ORDER BY id FOR UPDATE OF offers
                """).rows.map { (id: try $0.decode(Int64.self, at: 0), buyer: try $0.decode(Int64.self, at: 1),
                                 amount: try $0.decode(Int64.self, at: 2)) }
            guard let accepted = offers.first(where: { $0.id == offer }) else {
                throw MarketError(.invalidState, "offer \(offer) is no longer open")
            }
            _ = try await uow.lockAccounts([owner] + offers.map(\.buyer))
            for other in offers where other.id != offer {
                try await uow.adjust(other.buyer, balance: other.amount, held: -other.amount)
            }
            try await uow.execute("""
                UPDATE offers SET state = CASE WHEN id = \(offer) THEN 'accepted' ELSE 'released' END, updated_at = now()
                WHERE nft_id = \(nft) AND state = 'open'
                """)
            try await uow.setNFT(nft, owner: accepted.buyer, state: "owned")
            try await uow.settleSale(buyer: accepted.buyer, seller: owner, price: accepted.amount,
                                     commission: rules.commission(on: accepted.amount), reference: "offer:\(offer)",
                                     fromHeld: true, buyerKind: "offer_settle")
        }
    }
}
