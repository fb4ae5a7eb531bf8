import MarketCore

/// How the console confirms and announces an operator action.
extension OperatorActionRequest {
    /// Actions that move money on an admin's word: the operator types the entity id to confirm.
    var movesMoney: Bool {
        switch self {
        case .forceCompleteTransfer, .resolveWithdrawalSent, .resolveWithdrawalFailed: true
        default: false
        }
    }

    /// The id the operator must type for a money-moving action.
    var confirmationID: String {
        switch self {
        case .releaseLock(let key): key
        default: String(targetID ?? 0)
        }
    }

    /// What the progress line says while it runs ("cancelling auction 42").
    var progressText: String {
        switch self {
        case .cancelAuction(let id, _): "cancelling auction \(id)"
        case .rejectProposal(let id, _): "rejecting proposal \(id)"
        case .forceCompleteTransfer(let id, _): "force-completing transfer \(id)"
        case .cancelTransfer(let id, _): "cancelling transfer \(id)"
        case .retryTransfer(let id): "retrying transfer \(id)"
        case .resolveWithdrawalSent(let id, _, _): "resolving withdrawal \(id) as sent"
        case .resolveWithdrawalFailed(let id, _): "resolving withdrawal \(id) as failed"
        case .releaseLock(let key): "releasing lock \(key)"
        case .approve(let id): "approving \(id) and running it"
        case .rejectApproval(let id): "rejecting approval \(id)"
        }
    }
}
