/// A trade as locked in a Unit of Work.
struct TradeRow: Sendable {
    let id: Int64
    let owner: Int64
    let state: String

    func requireOpen() throws {
        guard state == "open" else { throw MarketError(.invalidState, "trade \(id) is \(state)") }
    }
}

/// A pending proposal as locked in a Unit of Work, with its NFTs.
struct ProposalRow: Sendable {
    let id: Int64
    let trade: Int64
    let proposer: Int64
    let items: [Int64]
}

extension UnitOfWork {
    func lockTrade(_ id: Int64) async throws -> TradeRow {
        guard let row = try await query("SELECT id, owner_id, state FROM trades WHERE id = \(id) FOR UPDATE OF trades").first else {
            throw MarketError(.notFound, "trade \(id) does not exist")
        }
        return TradeRow(id: try row.decode(at: 0), owner: try row.decode(at: 1), state: try row.decode(at: 2))
    }

    /// The trade a proposal belongs to (read without a lock: it never changes).
    func tradeOf(proposal id: Int64) async throws -> Int64 {
        guard let row = try await query("SELECT trade_id FROM trade_proposals WHERE id = \(id)").first else {
            throw MarketError(.notFound, "proposal \(id) does not exist")
        }
        return try row.decode(at: 0)
    }

    /// Locks one pending proposal.
    func lockProposal(_ id: Int64) async throws -> ProposalRow {
        guard let row = try await query("""
            SELECT id, trade_id, proposer_id, state FROM trade_proposals WHERE id = \(id) FOR UPDATE OF trade_proposals
            """).first else {
            throw MarketError(.notFound, "proposal \(id) does not exist")
        }
        let state = try row.decode(String.self, at: 3)
        guard state == "pending" else { throw MarketError(.invalidState, "proposal \(id) is \(state)") }
        return ProposalRow(id: id, trade: try row.decode(at: 1), proposer: try row.decode(at: 2), items: try await proposalItems(id))
    }

    /// Locks a trade's pending proposals in id order.
    func lockPendingProposals(of trade: Int64) async throws -> [ProposalRow] {
        let rows = try await query("""
            SELECT id, proposer_id FROM trade_proposals WHERE trade_id = \(trade) AND state = 'pending'
            ORDER BY id FOR UPDATE OF trade_proposals
            """).rows
        var proposals: [ProposalRow] = []
        for row in rows {
            let id = try row.decode(Int64.self, at: 0)
            proposals.append(ProposalRow(id: id, trade: trade, proposer: try row.decode(at: 1), items: try await proposalItems(id)))
        }
        return proposals
    }

    func tradeItems(_ trade: Int64) async throws -> [Int64] {
        try await query("SELECT nft_id FROM trade_items WHERE trade_id = \(trade) ORDER BY nft_id").rows.map { try $0.decode(at: 0) }
    }

    func proposalItems(_ proposal: Int64) async throws -> [Int64] {
        try await query("SELECT nft_id FROM trade_proposal_items WHERE proposal_id = \(proposal) ORDER BY nft_id")
            .rows.map { try $0.decode(at: 0) }
    }

    /// NFTs leave a trade: locked in id order, back to `owned`.
    func releaseNFTs(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        for nft in try await lockNFTs(ids) { try await setNFT(nft.id, state: "owned") }
    }

    /// Rejects a pending proposal and gives its NFTs back.
    func reject(_ proposal: ProposalRow, reason: String) async throws {
        try await releaseNFTs(proposal.items)
        try await execute("""
            UPDATE trade_proposals SET state = 'rejected', reason = \(reason),
            version = version + 1, updated_at = now() WHERE id = \(proposal.id)
            """)
    }
}
