/// What a reconciler's settlement did.
public enum ReconcileOutcome: Sendable, Equatable {
    /// Settled on the gateway's evidence; `detail` is what the audit row says it changed.
    case settled(detail: String)
    /// The row was no longer pending at the version the reconciler read: someone (an admin, the
    /// market's own retry, another reconciler) settled or touched it first. Nothing was written.
    case alreadyMoved(String)
}

extension Market {
    /// The reconciler settles a pending channel transfer on Telegram's answer: completed when the
    /// channel moved to the buyer, refunded (and listed again) when the request can never happen.
    /// Under the channel's lock, by the database's `mc_rec_settle_transfer` (the login must be in
    /// `market_reconciler`), at `expectedVersion` only; audited with `evidence` as the reason.
    public func reconcileTransfer(_ transfer: Int64, channel: Int64, expectedVersion: Int64, moved: Bool,
                                  evidence: GatewayEvidence) async throws -> ReconcileOutcome {
        try await settling {
            try await self.locked(OperationLockKeys.channel(channel), "reconcile.transfer") { uow in
                try await uow.reconcilerCall("""
                    SELECT mc_rec_settle_transfer(\(transfer), \(expectedVersion), \(moved), \(evidence.description))
                    """)
            }
        }
    }

    /// The reconciler settles a pending withdrawal on TON's answer: sent with the transaction hash
    /// found, or failed and refunded when no transaction can carry its key any more. Under the
    /// user's withdrawal lock, by `mc_rec_settle_withdrawal`, at `expectedVersion` only.
    public func reconcileWithdrawal(_ withdrawal: Int64, user: Int64, expectedVersion: Int64, evidence: GatewayEvidence)
        async throws -> ReconcileOutcome {
        try await settling {
            try await self.locked(OperationLockKeys.withdrawals(ofUser: user), "reconcile.withdrawal") { uow in
                try await uow.reconcilerCall("""
                    SELECT mc_rec_settle_withdrawal(\(withdrawal), \(expectedVersion), \(evidence.transactionHash),
                                                    \(evidence.description))
                    """)
            }
        }
    }

    /// The gateway did not say: the ask counts as an attempt on the row and the next ask waits
    /// (`mc_rec_note_unknown`). Returns false when the row moved on meanwhile.
    public func noteUnknown(_ kind: PendingTransferKind, id: Int64, expectedVersion: Int64, note: String) async throws -> Bool {
        try await database.withUnitOfWork(named: "reconcile.unknown") { uow in
            let noted = try await uow.reconcilerCall("""
                SELECT mc_rec_note_unknown(\(kind.rawValue), \(id), \(expectedVersion), \(note))::text
                """)
            return noted == "true"
        }
    }

    private func settling(_ body: () async throws -> String) async throws -> ReconcileOutcome {
        do {
            return .settled(detail: try await body())
        } catch let error as MarketError where error.code == .changed || error.code == .invalidState {
            return .alreadyMoved(error.message)
        }
    }
}

extension UnitOfWork {
    /// Runs one of the reconciler's database functions (`mc_rec_…`) and returns its text result;
    /// its refusals become ``MarketError``s with the database's sentence.
    func reconcilerCall(_ call: PostgresQuery) async throws -> String {
        do {
            return try await query(call).first?.decode(String?.self, at: 0) ?? ""
        } catch let error as PostgresError {
            throw MarketError(operatorFunctionError: error) ?? error
        }
    }
}
