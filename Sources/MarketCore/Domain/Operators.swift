/// What an operator may do, by role.
public enum OperatorRole: String, Sendable, CaseIterable, Codable {
    case viewer, oncall, moderator, admin
}

/// An action an operator can take through the core; each names the roles allowed to take it.
public enum OperatorAction: String, Sendable, CaseIterable {
    case cancelAuction = "cancel-auction"
    case rejectProposal = "reject-proposal"
    case forceCompleteTransfer = "force-complete-transfer"
    case cancelTransfer = "cancel-transfer"
    case resolveWithdrawal = "resolve-withdrawal"
    case releaseLock = "release-lock"
    case retryTransfer = "retry-transfer"
    case manageOperators = "manage-operators"
    /// A second operator approves an action another one asked for (the action's own roles apply too).
    case approve
    /// A second operator turns such a request down.
    case rejectApproval = "reject-approval"

    /// The roles allowed to take this action.
    public var allowedRoles: Set<OperatorRole> {
        switch self {
        case .cancelAuction, .rejectProposal: [.moderator, .admin]
        case .forceCompleteTransfer, .cancelTransfer, .resolveWithdrawal, .retryTransfer, .manageOperators: [.admin]
        case .releaseLock: [.oncall, .admin]
        case .approve, .rejectApproval: [.oncall, .moderator, .admin]
        }
    }
}

/// Who asks for an operator action, and why.
public struct OperatorRequest: Sendable, Equatable {
    /// The operator's name; unknown names act as viewers.
    public var operatorName: String
    /// Why: kept in the audit row. Required.
    public var reason: String

    public init(operatorName: String, reason: String) {
        self.operatorName = operatorName
        self.reason = reason
    }
}
