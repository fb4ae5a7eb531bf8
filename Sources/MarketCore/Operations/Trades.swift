extension Market {
    /// Offers the owner's NFTs for exchange; they go `in_trade`. Returns the trade's id.
    public func createTrade(owner: Int64, nfts: [Int64]) async throws -> Int64 {
        guard !nfts.isEmpty else { throw MarketError(.invalidArgument, "a trade needs at least one NFT") }
        return try await locked(OperationLockKeys.newTrade(owner: owner), "trade.new") { uow in
            _ = try await uow.lockAccounts([owner])
            for row in try await uow.lockNFTs(nfts) {
                try row.requireOwner(owner)
                try row.requireState(["owned"])
                try await uow.setNFT(row.id, state: "in_trade")
            }
            let trade = try await uow.query("INSERT INTO trades (owner_id) VALUES (\(owner)) RETURNING id").rows[0].decode(Int64.self, at: 0)
            try await uow.execute("""
                INSERT INTO trade_items (trade_id, nft_id) SELECT \(trade), unnest(\(UnitOfWork.bigintArray(nfts))::bigint[])
                """)
            return trade
        }
    }

    /// The owner deletes an open trade: its NFTs and those of its pending proposals come back,
    /// the proposals are rejected.
    public func deleteTrade(_ trade: Int64, owner: Int64) async throws {
        try await locked(OperationLockKeys.trade(trade), "trade.delete") { uow in
            let row = try await uow.lockTrade(trade)
            guard row.owner == owner else { throw MarketError(.notOwner, "trade \(trade) is user \(row.owner)'s, not \(owner)'s") }
            try row.requireOpen()
            let proposals = try await uow.lockPendingProposals(of: trade)
            try await uow.releaseNFTs(try await uow.tradeItems(trade) + proposals.flatMap(\.items))
            try await uow.execute("""
                UPDATE trade_proposals SET state = 'rejected', reason = 'trade deleted', version = version + 1, updated_at = now()
                WHERE trade_id = \(trade) AND state = 'pending'
                """)
            try await uow.execute("UPDATE trades SET state = 'deleted', version = version + 1, updated_at = now() WHERE id = \(trade)")
        }
    }

    /// Another user proposes their NFTs for an open trade. Returns the proposal's id.
    public func propose(trade: Int64, proposer: Int64, nfts: [Int64]) async throws -> Int64 {
        guard !nfts.isEmpty else { throw MarketError(.invalidArgument, "a proposal needs at least one NFT") }
        return try await locked(OperationLockKeys.trade(trade), "trade.propose") { uow in
            let row = try await uow.lockTrade(trade)
            try row.requireOpen()
            guard row.owner != proposer else { throw MarketError(.invalidArgument, "user \(proposer) cannot propose to their own trade") }
            _ = try await uow.lockAccounts([proposer])
            for nft in try await uow.lockNFTs(nfts) {
                try nft.requireOwner(proposer)
                try nft.requireState(["owned"])
                try await uow.setNFT(nft.id, state: "in_trade")
            }
            let proposal = try await uow.query("""
                INSERT INTO trade_proposals (trade_id, proposer_id) VALUES (\(trade), \(proposer)) RETURNING id
                """).rows[0].decode(Int64.self, at: 0)
            try await uow.execute("""
                INSERT INTO trade_proposal_items (proposal_id, nft_id) SELECT \(proposal), unnest(\(UnitOfWork.bigintArray(nfts))::bigint[])
                """)
            return proposal
        }
    }

    /// The trade's owner rejects a pending proposal; its NFTs go back to the proposer.
    public func rejectProposal(_ proposal: Int64, owner: Int64) async throws {
        try await locked(OperationLockKeys.proposal(proposal), "trade.reject") { uow in
            // Trade before proposal, as every trade operation locks them, so none can deadlock another.
            let trade = try await uow.lockTrade(try await uow.tradeOf(proposal: proposal))
            let found = try await uow.lockProposal(proposal)
            guard trade.owner == owner else { throw MarketError(.notOwner, "proposal \(proposal) is to user \(trade.owner)'s trade, not \(owner)'s") }
            try await uow.reject(found, reason: "rejected by the owner")
        }
    }

    /// A moderator rejects a pending proposal, audited in the same transaction (the database's
    /// `mc_op_reject_proposal`, which checks the login's role).
    ///
    /// - Parameters:
    ///   - expectedVersion: the proposal's `version` the moderator looked at; when given and the
    ///     proposal has moved on since, the rejection is refused with ``MarketError/Code/changed``.
    ///   - approval: the approval a second operator runs it under (``approve(_:by:)``).
    public func rejectProposal(_ proposal: Int64, expectedVersion: Int64? = nil, by request: OperatorRequest,
                               approval: Int64? = nil) async throws {
        try await locked(OperationLockKeys.proposal(proposal), "trade.reject") { uow in
            try await uow.operatorCall("""
                SELECT mc_op_reject_proposal(\(proposal), \(expectedVersion), \(request.reason), \(approval))
                """, action: .rejectProposal, target: OperatorAction.rejectProposal.auditTarget(proposal), reason: request.reason)
        }
    }

    /// The owner accepts a proposal: the NFTs swap owners atomically, the proposer pays the trade
    /// fee, and the trade's other pending proposals are rejected.
    public func acceptProposal(_ proposal: Int64, owner: Int64) async throws {
        let fee = rules.tradeFee
        try await locked(OperationLockKeys.proposal(proposal), "trade.accept") { uow in
            let trade = try await uow.lockTrade(try await uow.tradeOf(proposal: proposal))
            guard trade.owner == owner else { throw MarketError(.notOwner, "proposal \(proposal) is to user \(trade.owner)'s trade, not \(owner)'s") }
            try trade.requireOpen()
            let pending = try await uow.lockPendingProposals(of: trade.id)
            guard let accepted = pending.first(where: { $0.id == proposal }) else {
                throw MarketError(.invalidState, "proposal \(proposal) is no longer pending")
            }
            let others = pending.filter { $0.id != proposal }
            let offered = try await uow.tradeItems(trade.id)
            _ = try await uow.lockNFTs(offered + accepted.items + others.flatMap(\.items))
            let accounts = try await uow.lockAccounts([owner, accepted.proposer])
            try uow.requireFunds(accounts[accepted.proposer]!, fee, for: "the trade fee")
            for nft in offered { try await uow.setNFT(nft, owner: accepted.proposer, state: "owned") }
            for nft in accepted.items { try await uow.setNFT(nft, owner: owner, state: "owned") }
            try await uow.releaseNFTs(others.flatMap(\.items))
            try await uow.execute("""
                UPDATE trade_proposals SET state = CASE WHEN id = \(proposal) THEN 'accepted' ELSE 'rejected' END,
                reason = CASE WHEN id = \(proposal) THEN NULL ELSE 'another proposal was accepted' END,
                version = version + 1, updated_at = now() WHERE trade_id = \(trade.id) AND state = 'pending'
                """)
            try await uow.execute("UPDATE trades SET state = 'completed', version = version + 1, updated_at = now() WHERE id = \(trade.id)")
            try await uow.post(accepted.proposer, -fee, kind: "trade_fee", reference: "proposal:\(proposal)")
            try await uow.post(platformAccount, fee, kind: "trade_fee", reference: "proposal:\(proposal)")
        }
    }
}
