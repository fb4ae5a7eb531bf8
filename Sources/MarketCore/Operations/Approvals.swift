import Foundation

/// An operator action waiting for a second operator (the two-person rule).
public struct PendingApproval: Sendable, Equatable, Codable, Identifiable {
    public var id: Int64
    /// The ``OperatorAction`` raw value, e.g. `force-complete-transfer`.
    public var action: String
    /// The id of the row the action is for (a transfer, a withdrawal…).
    public var targetID: Int64
    /// The row version the requester saw; the action is refused if the row changed since.
    public var expectedVersion: Int64?
    /// What the action needs besides its target: the tx hash of a withdrawal resolved as sent.
    public var argument: String?
    public var reason: String
    /// The login that asked.
    public var requestedBy: String
    /// `pending`, `approved` (running), `rejected`, `done` or `failed`.
    public var state: String
    public var decidedBy: String?
    public var outcome: String?
    public var createdAt: Date

    public init(id: Int64, action: String, targetID: Int64, expectedVersion: Int64?, argument: String? = nil, reason: String,
                requestedBy: String, state: String, decidedBy: String?, outcome: String?, createdAt: Date) {
        self.id = id
        self.action = action
        self.targetID = targetID
        self.expectedVersion = expectedVersion
        self.argument = argument
        self.reason = reason
        self.requestedBy = requestedBy
        self.state = state
        self.decidedBy = decidedBy
        self.outcome = outcome
        self.createdAt = createdAt
    }

    init(row: PostgresRow) throws {
        self.init(id: try row.decode(at: 0), action: try row.decode(at: 1), targetID: try row.decode(at: 2),
                  expectedVersion: try row.decode(Int64?.self, at: 3), reason: try row.decode(at: 4),
                  requestedBy: try row.decode(at: 5), state: try row.decode(at: 6), decidedBy: try row.decode(String?.self, at: 7),
                  outcome: try row.decode(String?.self, at: 8), createdAt: try row.decode(at: 9))
        argument = try row.decode(String?.self, at: 10)
    }

    static let columns = "id, action, target_id, expected_version, reason, requested_by, state, decided_by, outcome, created_at, argument"
}

extension Market {
    /// The actions under the two-person rule, as the database's `operator_policy` has them: the
    /// database refuses them run directly and runs them only with a second operator's approval.
    public func twoPersonActions() async throws -> Set<OperatorAction> {
        Set(try await services.pool.query("SELECT action FROM operator_policy").rows
            .compactMap { OperatorAction(rawValue: try $0.decode(String.self, at: 0)) })
    }

    /// Puts exactly `actions` under the two-person rule. Only the schema's owner (or a superuser)
    /// may: operator logins cannot write `operator_policy`, so none can lift the rule for itself.
    ///
    /// - Throws: ``MarketError`` `.invalidArgument` naming an action that cannot wait for approval
    ///   (see ``OperatorAction/canWaitForApproval``); `.forbidden` for any other login.
    public func setTwoPersonActions(_ actions: Set<OperatorAction>) async throws {
        if let unfit = actions.first(where: { !$0.canWaitForApproval }) {
            throw MarketError(.invalidArgument, Self.cannotWait(unfit))
        }
        try await database.withUnitOfWork(named: "operators.policy") { uow in
            do {
                try await uow.execute("DELETE FROM operator_policy")
                for action in actions.sorted(by: { $0.rawValue < $1.rawValue }) {
                    try await uow.execute("INSERT INTO operator_policy (action) VALUES (\(action.rawValue))")
                }
            } catch let error as PostgresError where error.sqlState == "42501" {
                throw MarketError(.forbidden, "only the schema's owner sets the two-person rule (market-console migrate)")
            }
        }
    }

    /// Why `action` cannot be put under the two-person rule.
    public static func cannotWait(_ action: OperatorAction) -> String {
        "\(action.rawValue) cannot wait for a second operator; the actions that can are "
            + OperatorAction.allCases.filter(\.canWaitForApproval).map(\.rawValue).joined(separator: ", ")
    }

    /// Records `action` on `target` as waiting for a second operator, requested by this login;
    /// returns the approval's id. The database checks that the login may take the action and that
    /// the action is under the two-person rule, and audits the request.
    ///
    /// - Parameter argument: what the action needs besides its target: a withdrawal's tx hash.
    public func requestApproval(_ action: OperatorAction, target: Int64, expectedVersion: Int64?, argument: String? = nil,
                                by request: OperatorRequest) async throws -> Int64 {
        let auditTarget = action.auditTarget(target)
        return try await locked(OperationLockKeys.approvalRequest(action, target: target), "operator.request_approval") { uow in
            guard let id = try await uow.operatorCall("""
                SELECT mc_op_request_approval(\(action.rawValue), \(target), \(expectedVersion), \(argument), \(request.reason))::text
                """, action: action, target: auditTarget, reason: request.reason).flatMap(Int64.init) else {
                throw MarketError(.invalidState, "the database filed no approval for \(action.rawValue) of \(target)")
            }
            return id
        }
    }

    /// A second login approves: the action runs once, under its own lock, in the transaction that
    /// marks the approval done — the database refuses the login that asked, a superuser session,
    /// a login whose role may not take the action, and an approval already decided.
    public func approve(_ approval: Int64, by request: OperatorRequest) async throws -> PendingApproval {
        var pending = try await self.approval(approval)
        guard pending.state == "pending" else {
            throw MarketError(.invalidState, "approval \(approval) is already \(pending.state)\(pending.decidedBy.map { " by \($0)" } ?? "")")
        }
        switch OperatorActionRequest(approved: pending) {
        case .forceCompleteTransfer(let id, let version):
            try await forceCompleteTransfer(id, expectedVersion: version, by: request, approval: approval)
        case .cancelTransfer(let id, let version):
            try await cancelTransfer(id, expectedVersion: version, by: request, approval: approval)
        case .cancelAuction(let id, let version):
            try await cancelAuction(id, expectedVersion: version, by: request, approval: approval)
        case .rejectProposal(let id, let version):
            try await rejectProposal(id, expectedVersion: version, by: request, approval: approval)
        case .resolveWithdrawalSent(let id, let version, let txHash):
            _ = try await resolveWithdrawal(id, sentWithHash: txHash, expectedVersion: version, by: request, approval: approval)
        case .resolveWithdrawalFailed(let id, let version):
            _ = try await resolveWithdrawal(id, sentWithHash: nil, expectedVersion: version, by: request, approval: approval)
        default:
            throw MarketError(.invalidState, "approval \(approval) names \(pending.action), which cannot run through an approval")
        }
        let decided = try await services.pool.query("SELECT decided_by FROM operator_approvals WHERE id = \(approval)").first
        pending.state = "done"
        pending.decidedBy = try decided?.decode(String?.self, at: 0)
        pending.outcome = "done"
        return pending
    }

    /// A second operator turns the request down; nothing runs.
    public func rejectApproval(_ approval: Int64, by request: OperatorRequest) async throws {
        try await locked(OperationLockKeys.approval(approval), "operator.reject_approval") { uow in
            try await uow.operatorCall("SELECT mc_op_reject_approval(\(approval), \(request.reason))",
                                       action: .rejectApproval, target: OperatorAction.rejectApproval.auditTarget(approval), reason: request.reason)
        }
    }

    /// One approval as it is now (read without a lock).
    ///
    /// - Throws: ``MarketError`` `.notFound`.
    func approval(_ id: Int64) async throws -> PendingApproval {
        guard let row = try await services.pool.query("""
            SELECT \(unsafeSQL: PendingApproval.columns) FROM operator_approvals WHERE id = \(id)
            """).first else {
            throw MarketError(.notFound, "approval \(id) does not exist")
        }
        return try PendingApproval(row: row)
    }

    /// Approvals waiting for a second operator, oldest first.
    public func pendingApprovals(limit: Int = 100) async throws -> [PendingApproval] {
        try await services.pool.query("""
            SELECT \(unsafeSQL: PendingApproval.columns) FROM operator_approvals WHERE state = 'pending'
            ORDER BY created_at, id LIMIT \(limit)
            """).rows.map(PendingApproval.init(row:))
    }
}
