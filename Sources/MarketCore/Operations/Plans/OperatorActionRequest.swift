/// One operator action on one target, as an operator asks for it: what ``Market/plan(_:)``
/// plans and ``Market/preflight(_:)`` probes.
///
/// Every case on a row carries the version of the row the operator saw, so the core refuses it
/// when the row changed in between ("act on what you saw"); nil (a script that did not look)
/// skips the check.
public enum OperatorActionRequest: Equatable, Hashable, Sendable {
    /// ``Market/cancelAuction(_:expectedVersion:by:approval:)``.
    case cancelAuction(id: Int64, version: Int64?)
    /// ``Market/rejectProposal(_:expectedVersion:by:approval:)``.
    case rejectProposal(id: Int64, version: Int64?)
    /// ``Market/forceCompleteTransfer(_:expectedVersion:by:approval:)``.
    case forceCompleteTransfer(id: Int64, version: Int64?)
    /// ``Market/cancelTransfer(_:expectedVersion:by:approval:)``.
    case cancelTransfer(id: Int64, version: Int64?)
    /// ``Market/retryTransfer(_:expectedVersion:by:)``.
    case retryTransfer(id: Int64)
    /// ``Market/resolveWithdrawal(_:sentWithHash:expectedVersion:by:approval:)`` with the hash the operator found.
    case resolveWithdrawalSent(id: Int64, version: Int64?, txHash: String)
    /// ``Market/resolveWithdrawal(_:sentWithHash:expectedVersion:by:approval:)`` as failed: the user is refunded.
    case resolveWithdrawalFailed(id: Int64, version: Int64?)
    /// ``Market/releaseLock(key:expectedFence:by:)``.
    case releaseLock(key: String)
    /// ``Market/approve(_:by:)``: the approved action runs.
    case approve(id: Int64)
    /// ``Market/rejectApproval(_:by:)``.
    case rejectApproval(id: Int64)

    /// The action, whose roles decide who may run it.
    public var operatorAction: OperatorAction {
        switch self {
        case .cancelAuction: .cancelAuction
        case .rejectProposal: .rejectProposal
        case .forceCompleteTransfer: .forceCompleteTransfer
        case .cancelTransfer: .cancelTransfer
        case .retryTransfer: .retryTransfer
        case .resolveWithdrawalSent, .resolveWithdrawalFailed: .resolveWithdrawal
        case .releaseLock: .releaseLock
        case .approve: .approve
        case .rejectApproval: .rejectApproval
        }
    }

    /// The id of the row it acts on; nil for a lock release, which acts on a key.
    public var targetID: Int64? {
        switch self {
        case .cancelAuction(let id, _), .rejectProposal(let id, _), .forceCompleteTransfer(let id, _), .cancelTransfer(let id, _),
             .retryTransfer(let id), .resolveWithdrawalSent(let id, _, _), .resolveWithdrawalFailed(let id, _), .approve(let id),
             .rejectApproval(let id):
            id
        case .releaseLock: nil
        }
    }

    /// The row version it requires; nil when it requires none.
    public var expectedVersion: Int64? {
        switch self {
        case .cancelAuction(_, let version), .rejectProposal(_, let version), .forceCompleteTransfer(_, let version),
             .cancelTransfer(_, let version), .resolveWithdrawalSent(_, let version, _), .resolveWithdrawalFailed(_, let version):
            version
        case .retryTransfer, .releaseLock, .approve, .rejectApproval: nil
        }
    }

    /// What it is done to, as the audit log names it: `auction:42`, `transfer:7`, the lock's key.
    public var auditTarget: String {
        switch self {
        case .releaseLock(let key): key
        default: operatorAction.auditTarget(targetID ?? 0)
        }
    }

    /// The row and version an approval request records, for actions that can wait for a second operator.
    public var approvalTarget: (id: Int64, version: Int64?, argument: String?)? {
        switch self {
        case .forceCompleteTransfer(let id, let version), .cancelTransfer(let id, let version), .cancelAuction(let id, let version),
             .rejectProposal(let id, let version), .resolveWithdrawalFailed(let id, let version):
            (id, version, nil)
        case .resolveWithdrawalSent(let id, let version, let txHash): (id, version, txHash)
        default: nil
        }
    }
}

extension OperatorAction {
    /// How the audit log names the row with id `id` this action is for: `transfer:7`,
    /// `auction:42`, `approval:3`. (A lock release names its key, and an operator change the
    /// login: neither acts on a row, and their callers name them.)
    public func auditTarget(_ id: Int64) -> String {
        switch self {
        case .cancelAuction: "auction:\(id)"
        case .rejectProposal: "proposal:\(id)"
        case .resolveWithdrawal: "withdrawal:\(id)"
        case .forceCompleteTransfer, .cancelTransfer, .retryTransfer: "transfer:\(id)"
        case .approve, .rejectApproval: "approval:\(id)"
        case .releaseLock, .manageOperators: "\(rawValue):\(id)"
        }
    }
}
