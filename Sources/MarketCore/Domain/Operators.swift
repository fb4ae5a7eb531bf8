/// What an operator may do, by role: the PostgreSQL group role the operator's login belongs to
/// (`market_viewer`, `market_oncall`, `market_moderator`, `market_admin`); a login in none is a viewer.
public enum OperatorRole: String, Sendable, CaseIterable, Codable {
    case viewer, oncall, moderator, admin

    /// The NOLOGIN group role that grants this role.
    public var groupRole: String { "market_\(rawValue)" }
}

/// An action an operator can take through the core; each names the roles allowed to take it.
/// The database checks the same roles (`mc_action_roles`), against the login it authenticated.
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

    /// Whether the action can be put under the two-person rule: it acts on one row and can wait,
    /// as requested, for a second operator (`operator_policy` accepts exactly these).
    public var canWaitForApproval: Bool {
        switch self {
        case .cancelAuction, .rejectProposal, .forceCompleteTransfer, .cancelTransfer, .resolveWithdrawal: true
        case .releaseLock, .retryTransfer, .manageOperators, .approve, .rejectApproval: false
        }
    }
}

/// Why an operator acts: kept in the audit row. Who acts is never part of a request: it is the
/// PostgreSQL login the server authenticated for the market's connections (`session_user`).
public struct OperatorRequest: Sendable, Equatable {
    /// Required; the database refuses an action without one.
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }
}

/// Who the market's connections act as: the authenticated login and the role its groups give it.
public struct OperatorLogin: Sendable, Equatable {
    /// The PostgreSQL login (`session_user`).
    public var login: String
    public var role: OperatorRole
    /// A superuser session can take any identity and bypass every privilege: the core refuses its
    /// approvals, and the console says so.
    public var isSuperuser: Bool

    public init(login: String, role: OperatorRole, isSuperuser: Bool) {
        self.login = login
        self.role = role
        self.isSuperuser = isSuperuser
    }
}
