import Foundation

extension UnitOfWork {
    /// The role of operator `name`; unknown names are viewers.
    func role(of name: String) async throws -> OperatorRole {
        let row = try await query("SELECT role FROM operators WHERE name = \(name)").first
        return try row.flatMap { OperatorRole(rawValue: try $0.decode(String.self, at: 0)) } ?? .viewer
    }

    /// How long an operator action waits for a row another transaction holds before it gives up
    /// (SQLSTATE 55P03) instead of hanging the operator's console.
    static let operatorLockTimeout = "5s"

    /// The operator's role (unknown operators are viewers); refuses when the role may not take
    /// `action` on `target`, and audits the refused attempt (outcome `forbidden`, written after
    /// the rollback). Runs first inside the action's own transaction, and bounds its row-lock
    /// waits by ``operatorLockTimeout``.
    func authorize(_ request: OperatorRequest, for action: OperatorAction, target: String) async throws -> OperatorRole {
        guard !request.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw MarketError(.invalidArgument, "\(action.rawValue) needs a reason")
        }
        _ = try await query("SELECT set_config('lock_timeout', \(Self.operatorLockTimeout), true)")
        let role = try await role(of: request.operatorName)
        guard action.allowedRoles.contains(role) else {
            let allowed = action.allowedRoles.map(\.rawValue).sorted().joined(separator: " or ")
            throw refuse(request, role: role, action: action, target: target,
                         "operator \(request.operatorName) (\(role.rawValue)) may not \(action.rawValue): \(allowed) only")
        }
        return role
    }

    /// The `.forbidden` error to throw for an operator's refused attempt, which is audited
    /// (outcome `forbidden`, the refusal as detail) once the transaction has rolled back.
    func refuse(_ request: OperatorRequest, role: OperatorRole, action: OperatorAction, target: String,
                _ refusal: String) -> MarketError {
        executeAfterRollback(Self.auditRow(operator: request.operatorName, role: role.rawValue, reason: request.reason,
                                           action: action, target: target, detail: refusal, outcome: "forbidden"))
        return MarketError(.forbidden, refusal)
    }

    /// The audit row of an operator action, written in the same transaction as its effect.
    func audit(_ request: OperatorRequest, role: OperatorRole, action: OperatorAction, target: String,
               detail: String, outcome: String = "done") async throws {
        try await audit(operator: request.operatorName, role: role.rawValue, reason: request.reason, action: action,
                        target: target, detail: detail, outcome: outcome)
    }

    /// The audit row of an action taken by trusted local setup rather than a named operator.
    func auditLocalSetup(action: OperatorAction, target: String, detail: String) async throws {
        try await audit(operator: "local setup", role: "local", reason: "trusted local setup by \(ProcessIdentity.current.name)",
                        action: action, target: target, detail: detail, outcome: "done")
    }

    private func audit(operator name: String, role: String, reason: String, action: OperatorAction, target: String,
                       detail: String, outcome: String) async throws {
        try await execute(Self.auditRow(operator: name, role: role, reason: reason, action: action, target: target,
                                        detail: detail, outcome: outcome))
    }

    private static func auditRow(operator name: String, role: String, reason: String, action: OperatorAction, target: String,
                                 detail: String, outcome: String) -> PostgresQuery {
        """
        INSERT INTO operator_actions (operator, role, action, target, reason, outcome, detail)
        VALUES (\(name), \(role), \(action.rawValue), \(target), \(reason), \(outcome), \(detail))
        """
    }
}
