extension Market {
    /// What `request` will do if it runs now: its lock, the rows it locks in order (the database's
    /// `mc_action_rows`, which the action's own function locks from), the money it moves and to
    /// whom, the version it requires, and whether it waits for a second operator. Reads only;
    /// any login may ask.
    ///
    /// - Throws: ``MarketError`` `.notFound` when the target does not exist.
    public func plan(_ request: OperatorActionRequest) async throws -> ActionPlan {
        let twoPerson = request.approvalTarget != nil ? try await twoPersonActions().contains(request.operatorAction) : false
        var rows: [ActionPlan.Row] = []
        if let target = request.targetID {
            rows = try await services.pool.query("""
                SELECT table_name, row_id, lock_mode, row_role FROM mc_action_rows(\(request.operatorAction.rawValue), \(target))
                ORDER BY lock_order
                """).rows.map { ActionPlan.Row(table: try $0.decode(at: 0), id: try $0.decode(at: 1), lockMode: try $0.decode(at: 2),
                                               role: try $0.decode(at: 3)) }
            guard !rows.isEmpty else { throw MarketError(.notFound, "\(request.auditTarget) does not exist") }
        }
        if case .releaseLock(let key) = request {
            return ActionPlan(request: request, lockKey: key, takesOverLock: true, rows: [], movements: [], requiredVersion: nil,
                              needsSecondOperator: false)
        }
        // An approval runs the action it was asked for: its lock, its money, its version.
        let runs = if case .approve(let id) = request { try await approvedRequest(id) } else { request }
        return ActionPlan(request: request, lockKey: try await lockKey(for: runs), takesOverLock: false, rows: rows,
                          movements: try await movements(of: runs), requiredVersion: runs.expectedVersion,
                          needsSecondOperator: twoPerson)
    }

    /// The distributed lock `request` takes: the key its operation takes (``OperationLockKeys``).
    func lockKey(for request: OperatorActionRequest) async throws -> String {
        switch request {
        case .cancelAuction(let id, _): OperationLockKeys.auction(id)
        case .rejectProposal(let id, _): OperationLockKeys.proposal(id)
        case .forceCompleteTransfer(let id, _), .cancelTransfer(let id, _), .retryTransfer(let id): try await transferLockKey(id)
        case .resolveWithdrawalSent(let id, _, _), .resolveWithdrawalFailed(let id, _): try await withdrawalLockKey(id)
        case .approve(let id): try await lockKey(for: try await approvedRequest(id))
        case .rejectApproval(let id): OperationLockKeys.approval(id)
        case .releaseLock(let key): key
        }
    }

    /// The action a pending approval asks for, as its request.
    func approvedRequest(_ approval: Int64) async throws -> OperatorActionRequest {
        let pending = try await self.approval(approval)
        guard let request = OperatorActionRequest(approved: pending) else {
            throw MarketError(.invalidState, "approval \(approval) names \(pending.action), which cannot run through an approval")
        }
        return request
    }

    /// The money `request` moves, read now from its rows.
    private func movements(of request: OperatorActionRequest) async throws -> [ActionPlan.Movement] {
        switch request {
        case .cancelAuction(let id, _):
            guard let row = try await services.pool.query("""
                SELECT a.current_bid, u.id, u.name FROM auctions a JOIN users u ON u.id = a.current_bidder_id WHERE a.id = \(id)
                """).first else { return [] }
            return [.init(amount: try row.decode(at: 0), to: try Self.user(row, at: 1), from: "held for their top bid")]
        case .forceCompleteTransfer(let id, _), .cancelTransfer(let id, _), .retryTransfer(let id):
            guard let row = try await services.pool.query("""
                SELECT t.price, t.commission, s.id, s.name, b.id, b.name FROM channel_transfers t
                JOIN users s ON s.id = t.seller_id JOIN users b ON b.id = t.buyer_id WHERE t.id = \(id)
                """).first else { return [] }
            let price: Int64 = try row.decode(at: 0), commission: Int64 = try row.decode(at: 1)
            let seller = try Self.user(row, at: 2), buyer = try Self.user(row, at: 4)
            let escrow = "the buyer's escrow"
            let completion = [ActionPlan.Movement(amount: price - commission, to: seller, from: escrow),
                              .init(amount: commission, to: "the market (user 0), commission", from: escrow)].filter { $0.amount != 0 }
            let refund = ActionPlan.Movement(amount: price, to: buyer, from: escrow)
            switch request {
            case .forceCompleteTransfer: return completion
            case .cancelTransfer: return [refund]
            default:
                return completion.map { var movement = $0; movement.condition = "if Telegram moves the channel"; return movement }
                    + [{ var movement = refund; movement.condition = "if Telegram refuses"; return movement }()]
            }
        case .resolveWithdrawalFailed(let id, _):
            guard let row = try await services.pool.query("""
                SELECT w.amount, u.id, u.name FROM withdrawals w JOIN users u ON u.id = w.user_id WHERE w.id = \(id)
                """).first else { return [] }
            return [.init(amount: try row.decode(at: 0), to: try Self.user(row, at: 1), from: "the withdrawal, refunded")]
        case .rejectProposal, .resolveWithdrawalSent, .releaseLock, .approve, .rejectApproval:
            return []
        }
    }

    /// "alice (user 7)" from an id and a name column.
    private static func user(_ row: PostgresRow, at index: Int) throws -> String {
        "\(try row.decode(String.self, at: index + 1)) (user \(try row.decode(Int64.self, at: index)))"
    }
}

extension OperatorActionRequest {
    /// The action a second operator's approval runs, as it was asked for; nil for an action that
    /// cannot run through an approval.
    init?(approved approval: PendingApproval) {
        let id = approval.targetID, version = approval.expectedVersion
        switch OperatorAction(rawValue: approval.action) {
        case .cancelAuction: self = .cancelAuction(id: id, version: version)
        case .rejectProposal: self = .rejectProposal(id: id, version: version)
        case .forceCompleteTransfer: self = .forceCompleteTransfer(id: id, version: version)
        case .cancelTransfer: self = .cancelTransfer(id: id, version: version)
        case .resolveWithdrawal:
            self = approval.argument.map { .resolveWithdrawalSent(id: id, version: version, txHash: $0) }
                ?? .resolveWithdrawalFailed(id: id, version: version)
        default: return nil
        }
    }
}
