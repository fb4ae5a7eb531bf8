import Foundation

/// How a channel purchase ended.
public enum ChannelPurchase: Sendable, Equatable {
    /// Telegram moved the channel: the seller is paid, the buyer owns it.
    case completed(transfer: Int64)
    /// The transfer definitely failed: the buyer is refunded, the channel is listed again.
    case refunded(transfer: Int64, reason: String)
    /// Telegram did not say: the money stays in escrow, the transfer pending for an admin.
    case pending(transfer: Int64)
}

/// A pending channel transfer as locked in a Unit of Work.
struct TransferRow: Sendable {
    let id: Int64
    let channel: Int64
    let seller: Int64
    let buyer: Int64
    let price: Int64
    let commission: Int64
    let gatewayKey: String
}

extension Market {
    /// Lists a channel for sale; its gifts hash is taken from Telegram now. Returns the channel's id.
    public func listChannel(owner: Int64, telegramChannel: Int64, title: String, price: Int64) async throws -> Int64 {
        let price = try price.requirePositive("a price")
        let hash = try await withRetry("Telegram gifts of channel \(telegramChannel)", policy: gateways.retry) { _ in
            try await gateways.telegram.giftsHash(channel: telegramChannel)
        }
        return try await locked(OperationLockKeys.newChannel(telegramChannel: telegramChannel), "channel.new") { uow in
            _ = try await uow.lockAccounts([owner])
            let existing = try await uow.query("SELECT id FROM channels WHERE telegram_channel_id = \(telegramChannel)")
            if let row = existing.first {
                throw MarketError(.invalidState, "Telegram channel \(telegramChannel) is already channel \(try row.decode(Int64.self, at: 0))")
            }
            return try await uow.query("""
                INSERT INTO channels (owner_id, telegram_channel_id, title, price, gifts_hash, state)
                VALUES (\(owner), \(telegramChannel), \(title), \(price), \(hash), 'listed') RETURNING id
                """).rows[0].decode(Int64.self, at: 0)
        }
    }

    /// Re-prices (or lists again) an owned channel, refreshing its gifts hash from Telegram.
    public func setChannelPrice(_ channel: Int64, owner: Int64, price: Int64) async throws {
        let price = try price.requirePositive("a price")
        let telegramChannel = try await telegramID(of: channel)
        let hash = try await withRetry("Telegram gifts of channel \(telegramChannel)", policy: gateways.retry) { _ in
            try await gateways.telegram.giftsHash(channel: telegramChannel)
        }
        try await locked(OperationLockKeys.channel(channel), "channel.set_price") { uow in
            let row = try await uow.lockChannel(channel)
            guard row.owner == owner else { throw MarketError(.notOwner, "channel \(channel) belongs to user \(row.owner), not \(owner)") }
            guard row.state != "in_transfer" else { throw MarketError(.invalidState, "channel \(channel) is being transferred") }
            try await uow.execute("""
                UPDATE channels SET price = \(price), gifts_hash = \(hash), state = 'listed', version = version + 1,
                updated_at = now() WHERE id = \(channel)
                """)
        }
    }

    /// Buys a listed channel. The gifts must be what they were at listing; the price goes into
    /// escrow with a pending transfer (committed), Telegram moves the channel (with retry, outside
    /// any transaction), and the outcome commits: completed, refunded, or pending when unknown.
    public func buyChannel(_ channel: Int64, buyer: Int64) async throws -> ChannelPurchase {
        let telegramChannel = try await telegramID(of: channel)
        let gateways = self.gateways
        let rules = self.rules
        let currentHash = try await withRetry("Telegram gifts of channel \(telegramChannel)", policy: gateways.retry) { _ in
            try await gateways.telegram.giftsHash(channel: telegramChannel)
        }
        return try await services.locks.withLock(OperationLockKeys.channel(channel), operation: "channel.buy") { lease in
            let transfer = try await self.database.withUnitOfWork(named: "channel.buy", lease: lease) { uow -> TransferRow in
                let row = try await uow.lockChannel(channel)
                guard row.state == "listed", let price = row.price else {
                    throw MarketError(.invalidState, "channel \(channel) is not for sale (\(row.state))")
                }
                guard row.giftsHash == currentHash else {
                    throw MarketError(.giftsChanged, "channel \(channel)'s gifts changed since it was listed; the purchase is refused")
                }
                guard row.owner != buyer else { throw MarketError(.invalidArgument, "user \(buyer) already owns channel \(channel)") }
                let accounts = try await uow.lockAccounts([buyer])
                try uow.requireFunds(accounts[buyer]!, price, for: "channel \(channel)")
                try await uow.adjust(buyer, balance: -price, held: price)
                try await uow.execute("UPDATE channels SET state = 'in_transfer', version = version + 1, updated_at = now() WHERE id = \(channel)")
                let key = "channel-transfer:\(channel):\(UUID().uuidString)"
                let id = try await uow.query("""
                    INSERT INTO channel_transfers (channel_id, seller_id, buyer_id, price, commission, gateway_key)
                    VALUES (\(channel), \(row.owner), \(buyer), \(price), \(rules.commission(on: price)), \(key)) RETURNING id
                    """).rows[0].decode(Int64.self, at: 0)
                return TransferRow(id: id, channel: channel, seller: row.owner, buyer: buyer, price: price,
                                   commission: rules.commission(on: price), gatewayKey: key)
            }
            return try await self.finishTransfer(transfer, telegramChannel: telegramChannel, lease: lease)
        }
    }

    /// An admin runs the market's transfer path again for a pending transfer, now: under the
    /// channel's lock the database checks the admin and the transfer (`mc_op_retry_transfer`),
    /// Telegram is asked (with retry, outside any transaction, with the transfer's own idempotency
    /// key, so a transfer that did happen is not done twice), and the outcome commits with the
    /// audit row — completed, refunded (the channel listed again), or still pending when Telegram
    /// again does not say. A completion or refund that is under the two-person rule is not applied
    /// by one admin: the database files it as a request for a second operator instead.
    ///
    /// - Parameter expectedVersion: the transfer's `version` the admin looked at; when given and
    ///   the transfer has moved on since, the retry is refused with ``MarketError/Code/changed``
    ///   before Telegram is called.
    /// - Returns: what the retry did: completed, refunded, or still pending (also when its outcome
    ///   waits for a second operator).
    public func retryTransfer(_ transfer: Int64, expectedVersion: Int64? = nil, by request: OperatorRequest) async throws
        -> ChannelPurchase {
        let channel = try await channelOf(transfer: transfer)
        let telegramChannel = try await telegramID(of: channel)
        let target = OperatorAction.retryTransfer.auditTarget(transfer)
        return try await services.locks.withLock(OperationLockKeys.channel(channel), operation: "channel.retry-transfer") { lease in
            let row = try await self.database.withUnitOfWork(named: "channel.retry-transfer", lease: lease) { uow in
                try await uow.operatorCall("""
                    SELECT mc_op_retry_transfer(\(transfer), \(expectedVersion), \(request.reason), NULL, NULL, 0)
                    """, action: .retryTransfer, target: target, reason: request.reason)
                return try await uow.transfer(transfer)
            }
            let outcome = await self.callTelegram(row, telegramChannel: telegramChannel)
            let (result, note, attempts): (String, String, Int) = switch outcome {
            case .success: ("completed", "Telegram moved channel \(channel)", 1)
            case .failure(let error) where error.classification == .unknownOutcome: ("unknown", error.description, error.attempts)
            case .failure(let error): ("refused", error.description, error.attempts)
            }
            let detail = try await self.database.withUnitOfWork(named: "channel.retry-transfer", lease: lease) { uow in
                try await uow.operatorCall("""
                    SELECT mc_op_retry_transfer(\(transfer), NULL, \(request.reason), \(result), \(note), \(attempts))
                    """, action: .retryTransfer, target: target, reason: request.reason) ?? ""
            }
            if detail.hasPrefix("completed:") { return .completed(transfer: transfer) }
            if detail.hasPrefix("refunded:") { return .refunded(transfer: transfer, reason: note) }
            return .pending(transfer: transfer)
        }
    }

    /// Telegram moves the channel: with retry, outside any transaction, under the transfer's
    /// idempotency key.
    private func callTelegram(_ transfer: TransferRow, telegramChannel: Int64) async -> Result<Void, ExternalCallError> {
        let gateways = self.gateways
        do {
            try await withRetry("Telegram transfer of channel \(transfer.channel)", policy: gateways.retry) { _ in
                try await gateways.telegram.transferChannel(telegramChannel, to: transfer.buyer, idempotencyKey: transfer.gatewayKey)
            }
            return .success(())
        } catch let error as ExternalCallError {
            return .failure(error)
        } catch {
            return .failure(ExternalCallError(classification: .unknownOutcome, attempts: 1, underlying: error,
                                              operation: "Telegram transfer of channel \(transfer.channel)"))
        }
    }

    /// The market's transfer path after the pending state is committed: Telegram moves the channel,
    /// then the outcome commits under `lease` — completed, refunded and listed again, or still
    /// pending when unknown.
    private func finishTransfer(_ transfer: TransferRow, telegramChannel: Int64, lease: LockLease) async throws -> ChannelPurchase {
        let outcome = await callTelegram(transfer, telegramChannel: telegramChannel)
        return try await database.withUnitOfWork(named: "channel.transfer", lease: lease) { uow in
            _ = try await uow.lockChannel(transfer.channel)
            _ = try await uow.lockTransfer(transfer.id)
            switch outcome {
            case .success:
                try await uow.completeTransfer(transfer)
                return .completed(transfer: transfer.id)
            case .failure(let error) where error.classification == .unknownOutcome:
                try await uow.noteTransferAttempt(transfer.id, error: error)
                return .pending(transfer: transfer.id)
            case .failure(let error):
                try await uow.refundTransfer(transfer, relist: true, note: error.description)
                return .refunded(transfer: transfer.id, reason: error.description)
            }
        }
    }

    /// An admin finishes a stuck pending transfer as done: the seller is paid, the buyer owns the
    /// channel (the database's `mc_op_resolve_transfer`, which checks the login's role and, under
    /// the two-person rule, consumes `approval`).
    ///
    /// - Parameter expectedVersion: the transfer's `version` the admin looked at; when given and the
    ///   transfer has moved on since (another attempt, say), it is refused with ``MarketError/Code/changed``.
    public func forceCompleteTransfer(_ transfer: Int64, expectedVersion: Int64? = nil, by request: OperatorRequest,
                                      approval: Int64? = nil) async throws {
        try await resolveTransfer(transfer, complete: true, expectedVersion: expectedVersion, request: request, approval: approval)
    }

    /// An admin cancels a stuck pending transfer: the buyer is refunded, the seller keeps the channel.
    ///
    /// - Parameter expectedVersion: as for ``forceCompleteTransfer(_:expectedVersion:by:approval:)``.
    public func cancelTransfer(_ transfer: Int64, expectedVersion: Int64? = nil, by request: OperatorRequest,
                               approval: Int64? = nil) async throws {
        try await resolveTransfer(transfer, complete: false, expectedVersion: expectedVersion, request: request, approval: approval)
    }

    private func resolveTransfer(_ transfer: Int64, complete: Bool, expectedVersion: Int64?, request: OperatorRequest,
                                 approval: Int64?) async throws {
        let action: OperatorAction = complete ? .forceCompleteTransfer : .cancelTransfer
        try await locked(try await transferLockKey(transfer), "channel.\(action.rawValue)") { uow in
            try await uow.operatorCall("""
                SELECT mc_op_resolve_transfer(\(transfer), \(complete), \(expectedVersion), \(request.reason), \(approval))
                """, action: action, target: action.auditTarget(transfer), reason: request.reason)
        }
    }

    /// The lock of the channel a transfer moves, which every action on the transfer takes.
    func transferLockKey(_ transfer: Int64) async throws -> String {
        OperationLockKeys.channel(try await channelOf(transfer: transfer))
    }

    /// The channel a transfer moves (read without a lock: it never changes).
    private func channelOf(transfer: Int64) async throws -> Int64 {
        guard let found = try await services.pool.query("SELECT channel_id FROM channel_transfers WHERE id = \(transfer)").first else {
            throw MarketError(.notFound, "transfer \(transfer) does not exist")
        }
        return try found.decode(Int64.self, at: 0)
    }

    private func telegramID(of channel: Int64) async throws -> Int64 {
        guard let row = try await services.pool.query("SELECT telegram_channel_id FROM channels WHERE id = \(channel)").first else {
            throw MarketError(.notFound, "channel \(channel) does not exist")
        }
        return try row.decode(at: 0)
    }
}
