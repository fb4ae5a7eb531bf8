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
    public var reason: String
    public var requestedBy: String
    /// `pending`, `approved` (running), `rejected`, `done` or `failed`.
    public var state: String
    public var decidedBy: String?
    public var outcome: String?
    public var createdAt: Date

    public init(id: Int64, action: String, targetID: Int64, expectedVersion: Int64?, reason: String, requestedBy: String,
                state: String, decidedBy: String?, outcome: String?, createdAt: Date) {
        self.id = id
        self.action = action
        self.targetID = targetID
        self.expectedVersion = expectedVersion
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
    }

    static let columns = "id, action, target_id, expected_version, reason, requested_by, state, decided_by, outcome, created_at"
}

extension Market {
    /// Whether `action` needs a second operator's approval before the core runs it.
    public func needsApproval(_ action: OperatorAction) -> Bool {
        twoPersonActions.contains(action)
    }

    /// How the audit log names the row an action is for: `transfer:7`, `auction:42`.
    static func auditTarget(of action: OperatorAction, id: Int64) -> String {
        switch action {
        case .cancelAuction: "auction:\(id)"
        case .rejectProposal: "proposal:\(id)"
        case .resolveWithdrawal: "withdrawal:\(id)"
        default: "transfer:\(id)"
        }
    }

    /// Refuses `action` run directly when it is under the two-person rule.
    func requireApproval(_ action: OperatorAction, approved: Bool) throws {
        guard approved || !needsApproval(action) else {
            throw MarketError(.needsApproval, "\(action.rawValue) needs a second operator: request it and have another "
                              + "operator approve it (market-console action approve --id …)")
        }
    }

    /// Records `action` on `target` as waiting for a second operator; returns the approval's id.
    /// The requester must be allowed to take the action; the request is audited.
    public func requestApproval(_ action: OperatorAction, target: Int64, expectedVersion: Int64?,
                                by request: OperatorRequest) async throws -> Int64 {
        guard needsApproval(action) else {
            throw MarketError(.invalidArgument, "\(action.rawValue) does not need a second operator: run it directly")
        }
        return try await locked("approval:new:\(action.rawValue):\(target)", "operator.request_approval") { uow in
            let role = try await uow.authorize(request, for: action, target: Self.auditTarget(of: action, id: target))
            let open = try await uow.query("""
                SELECT id FROM operator_approvals
                WHERE action = \(action.rawValue) AND target_id = \(target) AND state IN ('pending', 'approved')
                """).first
            if let open {
                throw MarketError(.invalidState, "\(action.rawValue) of \(target) already waits for approval \(try open.decode(Int64.self, at: 0))")
            }
            let id = try await uow.query("""
                INSERT INTO operator_approvals (action, target_id, expected_version, reason, requested_by)
                VALUES (\(action.rawValue), \(target), \(expectedVersion), \(request.reason), \(request.operatorName))
                RETURNING id
                """).rows[0].decode(Int64.self, at: 0)
            try await uow.audit(request, role: role, action: action, target: Self.auditTarget(of: action, id: target),
                                detail: "waiting for a second operator: approval \(id)", outcome: "pending approval")
            return id
        }
    }

    /// A second operator approves: the core then runs the action once, under its own lock, with the
    /// requester's reason and both names in the audit log. The requester cannot approve their own
    /// request, and the approver must be allowed to take the action.
    public func approve(_ approval: Int64, by request: OperatorRequest) async throws -> PendingApproval {
        let claimed = try await locked("approval:\(approval)", "operator.approve") { uow in
            guard let row = try await uow.query("""
                SELECT \(unsafeSQL: PendingApproval.columns) FROM operator_approvals WHERE id = \(approval) FOR UPDATE
                """).first else {
                throw MarketError(.notFound, "approval \(approval) does not exist")
            }
            let pending = try PendingApproval(row: row)
            guard pending.state == "pending" else {
                throw MarketError(.invalidState, "approval \(approval) is already \(pending.state)\(pending.decidedBy.map { " by \($0)" } ?? "")")
            }
            guard let action = OperatorAction(rawValue: pending.action) else {
                throw MarketError(.invalidState, "approval \(approval) names an unknown action \(pending.action)")
            }
            guard pending.requestedBy != request.operatorName else {
                throw uow.refuse(request, role: try await uow.role(of: request.operatorName), action: .approve, target: "approval:\(approval)",
                                 "\(request.operatorName) asked for approval \(approval): a second operator must approve it")
            }
            let role = try await uow.authorize(request, for: action, target: "approval:\(approval)")
            try await uow.execute("""
                UPDATE operator_approvals SET state = 'approved', decided_by = \(request.operatorName), decided_at = now()
                WHERE id = \(approval)
                """)
            try await uow.audit(request, role: role, action: .approve, target: "approval:\(approval)",
                                detail: "\(pending.action) of \(pending.targetID) requested by \(pending.requestedBy)")
            return pending
        }
        // Claimed once (pending → approved under the row lock): now the action runs, exactly once.
        let requester = OperatorRequest(operatorName: request.operatorName,
                                        reason: "\(claimed.reason) (requested by \(claimed.requestedBy), approval \(approval))")
        var outcome = "done"
        do {
            try await runApproved(claimed, by: requester)
        } catch {
            outcome = "failed: \(error)"
            try await finishApproval(approval, state: "failed", outcome: outcome)
            throw error
        }
        try await finishApproval(approval, state: "done", outcome: outcome)
        var finished = claimed
        finished.state = "done"
        finished.decidedBy = request.operatorName
        finished.outcome = outcome
        return finished
    }

    /// A second operator turns the request down; nothing runs.
    public func rejectApproval(_ approval: Int64, by request: OperatorRequest) async throws {
        try await locked("approval:\(approval)", "operator.reject_approval") { uow in
            guard let row = try await uow.query("""
                SELECT \(unsafeSQL: PendingApproval.columns) FROM operator_approvals WHERE id = \(approval) FOR UPDATE
                """).first else {
                throw MarketError(.notFound, "approval \(approval) does not exist")
            }
            let pending = try PendingApproval(row: row)
            guard pending.state == "pending" else {
                throw MarketError(.invalidState, "approval \(approval) is already \(pending.state)")
            }
            guard let action = OperatorAction(rawValue: pending.action) else {
                throw MarketError(.invalidState, "approval \(approval) names an unknown action \(pending.action)")
            }
            let role = try await uow.authorize(request, for: action, target: "approval:\(approval)")
            try await uow.execute("""
                UPDATE operator_approvals SET state = 'rejected', decided_by = \(request.operatorName), decided_at = now(),
                       outcome = \(request.reason)
                WHERE id = \(approval)
                """)
            try await uow.audit(request, role: role, action: .rejectApproval, target: "approval:\(approval)",
                                detail: "\(pending.action) of \(pending.targetID) requested by \(pending.requestedBy)")
        }
    }

    /// Approvals waiting for a second operator, oldest first.
    public func pendingApprovals(limit: Int = 100) async throws -> [PendingApproval] {
        try await services.pool.query("""
            SELECT \(unsafeSQL: PendingApproval.columns) FROM operator_approvals WHERE state = 'pending'
            ORDER BY created_at, id LIMIT \(limit)
            """).rows.map(PendingApproval.init(row:))
    }

    private func runApproved(_ approval: PendingApproval, by request: OperatorRequest) async throws {
        switch OperatorAction(rawValue: approval.action) {
        case .forceCompleteTransfer:
            try await forceCompleteTransfer(approval.targetID, expectedVersion: approval.expectedVersion, by: request, approved: true)
        case .cancelTransfer:
            try await cancelTransfer(approval.targetID, expectedVersion: approval.expectedVersion, by: request, approved: true)
        case .cancelAuction:
            try await cancelAuction(approval.targetID, expectedVersion: approval.expectedVersion, by: request, approved: true)
        default:
            throw MarketError(.invalidState, "\(approval.action) cannot run through an approval")
        }
    }

    private func finishApproval(_ approval: Int64, state: String, outcome: String) async throws {
        _ = try await services.pool.query("""
            UPDATE operator_approvals SET state = \(state), outcome = \(outcome) WHERE id = \(approval)
            """)
    }
}
