/// A channel as locked in a Unit of Work.
struct ChannelRow: Sendable {
    let id: Int64
    let owner: Int64
    let price: Int64?
    let giftsHash: String?
    let state: String
}

extension UnitOfWork {
    func lockChannel(_ id: Int64) async throws -> ChannelRow {
        guard let row = try await query("""
            SELECT id, owner_id, price, gifts_hash, state FROM channels WHERE id = \(id) FOR UPDATE OF channels
            """).first else {
            throw MarketError(.notFound, "channel \(id) does not exist")
        }
        return ChannelRow(id: try row.decode(at: 0), owner: try row.decode(at: 1), price: try row.decode(Int64?.self, at: 2),
                          giftsHash: try row.decode(String?.self, at: 3), state: try row.decode(at: 4))
    }

    /// Locks a pending transfer.
    func lockTransfer(_ id: Int64) async throws -> TransferRow {
        try await transfer(id, locking: true)
    }

    /// A pending transfer, read (and locked when `locking`).
    func transfer(_ id: Int64, locking: Bool = false) async throws -> TransferRow {
        guard let row = try await query("""
            SELECT id, channel_id, seller_id, buyer_id, price, commission, gateway_key, state FROM channel_transfers
            WHERE id = \(id) \(unsafeSQL: locking ? "FOR UPDATE OF channel_transfers" : "")
            """).first else {
            throw MarketError(.notFound, "transfer \(id) does not exist")
        }
        let state = try row.decode(String.self, at: 7)
        guard state == "pending" else { throw MarketError(.invalidState, "transfer \(id) is already \(state)") }
        return TransferRow(id: try row.decode(at: 0), channel: try row.decode(at: 1), seller: try row.decode(at: 2),
                           buyer: try row.decode(at: 3), price: try row.decode(at: 4), commission: try row.decode(at: 5),
                           gatewayKey: try row.decode(at: 6))
    }

    /// The channel changed hands: escrow pays the seller (less commission), the buyer owns it.
    func completeTransfer(_ transfer: TransferRow) async throws {
        _ = try await lockAccounts([transfer.buyer, transfer.seller])
        try await execute("""
            UPDATE channels SET owner_id = \(transfer.buyer), state = 'owned', price = NULL, version = version + 1,
            updated_at = now() WHERE id = \(transfer.channel)
            """)
        try await execute("""
            UPDATE channel_transfers SET state = 'completed', attempts = attempts + 1, version = version + 1, updated_at = now()
            WHERE id = \(transfer.id)
            """)
        try await settleSale(buyer: transfer.buyer, seller: transfer.seller, price: transfer.price, commission: transfer.commission,
                             reference: "transfer:\(transfer.id)", fromHeld: true, buyerKind: "channel_escrow")
    }

    /// The transfer will not happen: the escrow goes back to the buyer.
    func refundTransfer(_ transfer: TransferRow, relist: Bool, note: String) async throws {
        _ = try await lockAccounts([transfer.buyer])
        try await adjust(transfer.buyer, balance: transfer.price, held: -transfer.price)
        try await execute("""
            UPDATE channels SET state = \(relist ? "listed" : "owned"), price = CASE WHEN \(relist) THEN price END,
            version = version + 1, updated_at = now() WHERE id = \(transfer.channel)
            """)
        try await execute("""
            UPDATE channel_transfers SET state = 'cancelled', attempts = attempts + 1, last_error = \(note), version = version + 1,
            updated_at = now() WHERE id = \(transfer.id)
            """)
    }

    func noteTransferAttempt(_ id: Int64, error: ExternalCallError) async throws {
        try await execute("""
            UPDATE channel_transfers SET attempts = attempts + \(error.attempts), last_error = \(error.description),
            version = version + 1, updated_at = now() WHERE id = \(id)
            """)
    }
}
