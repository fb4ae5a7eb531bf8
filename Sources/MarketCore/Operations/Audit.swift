import Foundation

extension UnitOfWork {
    /// The operator's role (unknown operators are viewers); refuses when the role may not take
    /// `action`. Runs inside the action's own transaction.
    func authorize(_ request: OperatorRequest, for action: OperatorAction) async throws -> OperatorRole {
        guard !request.reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw MarketError(.invalidArgument, "\(action.rawValue) needs a reason")
        }
        let row = try await query("SELECT role FROM operators WHERE name = \(request.operatorName)").first
        let role = try row.flatMap { OperatorRole(rawValue: try $0.decode(String.self, at: 0)) } ?? .viewer
        guard action.allowedRoles.contains(role) else {
            let allowed = action.allowedRoles.map(\.rawValue).sorted().joined(separator: " or ")
            throw MarketError(.forbidden, "operator \(request.operatorName) (\(role.rawValue)) may not \(action.rawValue): \(allowed) only")
        }
        return role
    }

    /// The audit row of an operator action, written in the same transaction as its effect.
    func audit(_ request: OperatorRequest, role: OperatorRole, action: OperatorAction, target: String,
               detail: String) async throws {
        try await execute("""
            INSERT INTO operator_actions (operator, role, action, target, reason, outcome, detail)
            VALUES (\(request.operatorName), \(role.rawValue), \(action.rawValue), \(target), \(request.reason), 'done', \(detail))
            """)
    }
}
