extension Market {
    /// Credits `amount` to a user (the simulator's and tests' way money enters the market).
    public func deposit(user: Int64, amount: Int64, reference: String) async throws {
        let amount = try amount.requirePositive("a deposit")
        try await locked(OperationLockKeys.account(user), "account.deposit") { uow in
            _ = try await uow.lockAccounts([user])
            try await uow.post(user, amount, kind: "deposit", reference: reference)
        }
    }

    /// Soft-deletes a user: refused while they hold money (bids, offers, escrow), have a pending
    /// withdrawal, or have NFTs in an auction or a trade; their listings are taken off sale.
    public func deleteAccount(user: Int64) async throws {
        try await locked(OperationLockKeys.account(user), "account.delete") { uow in
            let account = try await uow.lockAccounts([user])[user]!
            guard account.held == 0 else {
                throw MarketError(.invalidState, "user \(user) holds \(TON.format(account.held)) in bids, offers or escrow")
            }
            let pending = try await uow.query("SELECT count(*) FROM withdrawals WHERE user_id = \(user) AND state = 'pending'")
            guard try pending.rows[0].decode(Int.self, at: 0) == 0 else {
                throw MarketError(.invalidState, "user \(user) has a pending withdrawal")
            }
            let busy = try await uow.query("""
                SELECT id, state FROM nfts WHERE owner_id = \(user) AND state IN ('in_auction', 'in_trade') ORDER BY id LIMIT 1
                """)
            if let row = busy.first {
                throw MarketError(.invalidState, "user \(user)'s NFT \(try row.decode(Int64.self, at: 0)) is \(try row.decode(String.self, at: 1))")
            }
            try await uow.query("""
                SELECT id FROM nfts WHERE owner_id = \(user) AND state = 'listed' ORDER BY id FOR UPDATE OF nfts
                """)
            try await uow.execute("""
                UPDATE nfts SET state = 'owned', price = NULL, version = version + 1, updated_at = now()
                WHERE owner_id = \(user) AND state = 'listed'
                """)
            try await uow.execute("UPDATE users SET deleted_at = now(), updated_at = now() WHERE id = \(user)")
        }
    }
}
