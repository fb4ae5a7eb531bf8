import MarketCore

/// An operator action the console can run on a row, as the core's operation it maps to.
///
/// Every case carries the version of the row the operator saw, so the core refuses it when the
/// row changed in between ("act on what you saw"); nil (a script that did not look) skips the check.
enum ConsoleAction: Equatable, Sendable {
    case cancelAuction(id: Int64, version: Int64?)
    case rejectProposal(id: Int64, version: Int64?)
    case forceCompleteTransfer(id: Int64, version: Int64?)
    case cancelTransfer(id: Int64, version: Int64?)
    case retryTransfer(id: Int64)
    case resolveWithdrawalSent(id: Int64, version: Int64?, txHash: String)
    case resolveWithdrawalFailed(id: Int64, version: Int64?)
    case releaseLock(key: String)
    case approve(id: Int64)
    case rejectApproval(id: Int64)

    /// The core's action, whose roles decide who may run it.
    var operatorAction: OperatorAction {
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

    /// What the action is done to, as the audit log names it.
    var target: String {
        switch self {
        case .cancelAuction(let id, _): "auction:\(id)"
        case .rejectProposal(let id, _): "proposal:\(id)"
        case .forceCompleteTransfer(let id, _), .cancelTransfer(let id, _), .retryTransfer(let id): "transfer:\(id)"
        case .resolveWithdrawalSent(let id, _, _), .resolveWithdrawalFailed(let id, _): "withdrawal:\(id)"
        case .releaseLock(let key): "lock:\(key)"
        case .approve(let id), .rejectApproval(let id): "approval:\(id)"
        }
    }

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
        case .cancelAuction(let id, _), .rejectProposal(let id, _), .forceCompleteTransfer(let id, _),
             .cancelTransfer(let id, _), .retryTransfer(let id), .resolveWithdrawalSent(let id, _, _),
             .resolveWithdrawalFailed(let id, _), .approve(let id), .rejectApproval(let id):
            String(id)
        case .releaseLock(let key): key
        }
    }

    /// The row and version an approval request records, for actions that can wait for a second operator.
    var approvalTarget: (id: Int64, version: Int64?, argument: String?)? {
        switch self {
        case .forceCompleteTransfer(let id, let version), .cancelTransfer(let id, let version), .cancelAuction(let id, let version),
             .rejectProposal(let id, let version), .resolveWithdrawalFailed(let id, let version):
            (id, version, nil)
        case .resolveWithdrawalSent(let id, let version, let txHash): (id, version, txHash)
        default: nil
        }
    }

    /// The rows its Unit of Work locks first, for the preflight probe.
    var lockedRows: [PreflightRow] {
        switch self {
        case .cancelAuction(let id, _): [PreflightRow(.auctions, id)]
        case .rejectProposal(let id, _): [PreflightRow(.tradeProposals, id)]
        case .forceCompleteTransfer(let id, _), .cancelTransfer(let id, _), .retryTransfer(let id): [PreflightRow(.channelTransfers, id)]
        case .resolveWithdrawalSent(let id, _, _), .resolveWithdrawalFailed(let id, _): [PreflightRow(.withdrawals, id)]
        case .approve(let id), .rejectApproval(let id): [PreflightRow(.operatorApprovals, id)]
        case .releaseLock: []
        }
    }

    /// What its Unit of Work does, statement by statement, for the command log.
    var statements: String {
        switch self {
        case .cancelAuction: "authorize; lock auction, NFT, bidder FOR UPDATE; check version; release top bid; NFT to seller; audit; COMMIT"
        case .rejectProposal: "authorize; lock proposal and its NFTs FOR UPDATE; check version; NFTs to proposer; audit; COMMIT"
        case .forceCompleteTransfer: "authorize; lock transfer, channel, seller, buyer FOR UPDATE; check version; pay seller from escrow; owner to buyer; audit; COMMIT"
        case .cancelTransfer: "authorize; lock transfer, channel, buyer FOR UPDATE; check version; refund escrow; audit; COMMIT"
        case .retryTransfer: "authorize; commit attempt; call Telegram (no transaction open); commit outcome; audit"
        case .resolveWithdrawalSent: "authorize; lock withdrawal and user FOR UPDATE; check version; record tx hash; audit; COMMIT"
        case .resolveWithdrawalFailed: "authorize; lock withdrawal and user FOR UPDATE; check version; refund; audit; COMMIT"
        case .releaseLock: "authorize; take a new fence; record it for the key; audit; COMMIT; compare-and-delete the Redis key"
        case .approve: "authorize; lock approval FOR UPDATE; mark approved; audit; COMMIT; run the action under its lock"
        case .rejectApproval: "authorize; lock approval FOR UPDATE; mark rejected; audit; COMMIT"
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

/// How an action ended, with the exit status the headless `action` command reports.
enum ActionOutcome: Equatable, Sendable {
    /// The core ran it; what it did.
    case done(String)
    /// A rule refused it (the row changed, the auction already settled…).
    case refused(String)
    /// The operator's role may not take it.
    case forbidden(String)
    /// PostgreSQL or Redis could not be reached, or the outcome is unknown.
    case unavailable(String)

    /// 0 done, 1 refused by a rule, 3 not permitted, 4 infrastructure unavailable (2 is bad usage).
    var exitStatus: Int32 {
        switch self {
        case .done: 0
        case .refused: 1
        case .forbidden: 3
        case .unavailable: ServersUnavailable.exitStatus
        }
    }

    var message: String {
        switch self {
        case .done(let text), .refused(let text), .forbidden(let text), .unavailable(let text): text
        }
    }

    var label: String {
        switch self {
        case .done: "done"
        case .refused: "refused"
        case .forbidden: "forbidden"
        case .unavailable: "unavailable"
        }
    }
}
