import Foundation

/// Where a withdrawal stands.
public struct WithdrawalResult: Sendable, Equatable {
    public enum State: String, Sendable { case pending, sent, failed }
    public let id: Int64
    public let state: State
    public let txHash: String?
}

extension Market {
    /// Withdraws `amount` to a TON address. The idempotency key makes repeats safe: a repeat gets
    /// the first request's answer and moves no money. The debit and the pending row commit first;
    /// the payout (with retry) runs outside any transaction; its outcome commits after: sent (with
    /// the transaction hash), failed (refunded), or — when the outcome is unknown — still pending
    /// for an operator.
    public func withdraw(user: Int64, amount: Int64, destination: String, idempotencyKey: String) async throws -> WithdrawalResult {
        let amount = try amount.requirePositive("a withdrawal")
        guard !idempotencyKey.isEmpty else { throw MarketError(.invalidArgument, "a withdrawal needs an idempotency key") }
        let gateways = self.gateways
        // A repeat of a finished request needs no lock: its answer is already committed.
        if let earlier = try await database.withUnitOfWork(named: "withdraw.repeat", { uow in
            try await uow.withdrawal(user: user, key: idempotencyKey)
        }), earlier.state != .pending {
            return earlier
        }
        // Requests of one user queue behind each other: allow them a long wait.
        return try await services.locks.withLock(OperationLockKeys.withdrawals(ofUser: user), operation: "withdraw", wait: .seconds(30)) { lease in
            let created = try await self.database.withUnitOfWork(named: "withdraw", lease: lease) { uow -> (WithdrawalResult, Bool) in
                if let existing = try await uow.withdrawal(user: user, key: idempotencyKey) { return (existing, false) }
                let accounts = try await uow.lockAccounts([user])
                try uow.requireFunds(accounts[user]!, amount, for: "the withdrawal")
                let id = try await uow.query("""
                    INSERT INTO withdrawals (user_id, idempotency_key, amount, destination)
                    VALUES (\(user), \(idempotencyKey), \(amount), \(destination)) RETURNING id
                    """).rows[0].decode(Int64.self, at: 0)
                try await uow.post(user, -amount, kind: "withdrawal", reference: "withdrawal:\(id)")
                return (WithdrawalResult(id: id, state: .pending, txHash: nil), true)
            }
            guard created.1 else { return created.0 }
            let id = created.0.id
            let outcome: Result<String, ExternalCallError>
            do {
                outcome = .success(try await withRetry("TON payout of withdrawal \(id)", policy: gateways.retry) { _ in
                    try await gateways.ton.send(amount: amount, to: destination, idempotencyKey: "withdrawal:\(id)")
                })
            } catch let error as ExternalCallError {
                outcome = .failure(error)
            }
            return try await self.database.withUnitOfWork(named: "withdraw.outcome", lease: lease) { uow in
                try await uow.recordPayout(withdrawal: id, user: user, amount: amount, outcome: outcome)
            }
        }
    }

    /// An admin resolves a withdrawal left pending: as sent (with the transaction hash the operator
    /// found) or as failed (the user is refunded). Audited in the same transaction, by the
    /// database's `mc_op_resolve_withdrawal`, which checks the login's role.
    ///
    /// - Parameters:
    ///   - expectedVersion: the withdrawal's `version` the admin looked at; when given and the
    ///     withdrawal has moved on since (another payout attempt, say), it is refused with
    ///     ``MarketError/Code/changed``.
    ///   - approval: the approval a second operator runs it under (``approve(_:by:)``).
    public func resolveWithdrawal(_ withdrawal: Int64, sentWithHash txHash: String?, expectedVersion: Int64? = nil,
                                  by request: OperatorRequest, approval: Int64? = nil) async throws -> WithdrawalResult {
        try await locked(try await withdrawalLockKey(withdrawal), "withdraw.resolve") { uow in
            try await uow.operatorCall("""
                SELECT mc_op_resolve_withdrawal(\(withdrawal), \(txHash), \(expectedVersion), \(request.reason), \(approval))
                """, action: .resolveWithdrawal, target: OperatorAction.resolveWithdrawal.auditTarget(withdrawal), reason: request.reason)
        }
        return WithdrawalResult(id: withdrawal, state: txHash == nil ? .failed : .sent, txHash: txHash)
    }

    /// The lock of the user a withdrawal pays, which its payout and its resolution take.
    func withdrawalLockKey(_ withdrawal: Int64) async throws -> String {
        guard let found = try await services.pool.query("SELECT user_id FROM withdrawals WHERE id = \(withdrawal)").first else {
            throw MarketError(.notFound, "withdrawal \(withdrawal) does not exist")
        }
        return OperationLockKeys.withdrawals(ofUser: try found.decode(Int64.self, at: 0))
    }
}

extension UnitOfWork {
    /// The withdrawal a user already made with this key, if any.
    func withdrawal(user: Int64, key: String) async throws -> WithdrawalResult? {
        guard let row = try await query("""
            SELECT id, state, tx_hash FROM withdrawals WHERE user_id = \(user) AND idempotency_key = \(key)
            """).first else { return nil }
        return WithdrawalResult(id: try row.decode(at: 0), state: WithdrawalResult.State(rawValue: try row.decode(at: 1)) ?? .pending,
                                txHash: try row.decode(String?.self, at: 2))
    }

    /// Commits a payout's outcome: sent, failed and refunded, or still pending when unknown.
    func recordPayout(withdrawal id: Int64, user: Int64, amount: Int64, outcome: Result<String, ExternalCallError>) async throws
        -> WithdrawalResult {
        switch outcome {
        case .success(let hash):
            try await execute("""
                UPDATE withdrawals SET state = 'sent', tx_hash = \(hash), attempts = attempts + 1,
                version = version + 1, updated_at = now() WHERE id = \(id) AND state = 'pending'
                """)
            return WithdrawalResult(id: id, state: .sent, txHash: hash)
        case .failure(let error) where error.classification == .unknownOutcome:
            try await execute("""
                UPDATE withdrawals SET attempts = attempts + \(error.attempts), last_error = \(error.description),
                version = version + 1, updated_at = now() WHERE id = \(id)
                """)
            return WithdrawalResult(id: id, state: .pending, txHash: nil)
        case .failure(let error):
            _ = try await lockAccounts([user])
            try await execute("""
                UPDATE withdrawals SET state = 'failed', attempts = attempts + \(error.attempts), last_error = \(error.description),
                version = version + 1, updated_at = now() WHERE id = \(id)
                """)
            try await post(user, amount, kind: "withdrawal_refund", reference: "withdrawal:\(id)")
            return WithdrawalResult(id: id, state: .failed, txHash: nil)
        }
    }
}
