import Foundation
import MarketCore

/// Which action key was pressed: the console maps it to the action that fits the selected row.
enum ActionKey: String, Sendable, CaseIterable {
    /// `x`: cancel an auction or a transfer, reject a proposal, fail a withdrawal, release a lock.
    case cancel
    /// `F`: force-complete a transfer, resolve a withdrawal as sent.
    case force
    /// `R`: retry a transfer now.
    case retry
    /// `A`: approve an action another operator asked for.
    case approve
}

/// Turns an action key on a selected row into a confirmation dialog: the action and what the
/// operator saw of its row. What it will lock and move comes from the core's plan
/// (``ActionRunner/plan(_:)``), which the dialog shows when it arrives.
enum ActionPlanner {
    /// The draft for `key` on the row `id` of `source`, or why there is none.
    static func draft(_ key: ActionKey, source: PaneSource, id: String, in data: FetchResult, now: Date) -> Result<ActionDraft, PlanError> {
        func make(_ action: OperatorActionRequest, _ effects: [String]) -> Result<ActionDraft, PlanError> {
            .success(ActionDraft(action: action, effects: effects, openedAt: now))
        }
        switch (source, key) {
        case (.auctions, .cancel):
            guard let auction = data.auctions?.rows.first(where: { String($0.id) == id }) else { return .failure(.gone) }
            return make(.cancelAuction(id: auction.id, version: auction.version), cancelAuction(auction))
        case (.proposals, .cancel):
            guard let proposal = data.proposals?.rows.first(where: { String($0.id) == id }) else { return .failure(.gone) }
            return make(.rejectProposal(id: proposal.id, version: proposal.version), rejectProposal(proposal))
        case (.transfers, _):
            guard let transfer = data.transfers?.rows.first(where: { $0.id == id }) else { return .failure(.gone) }
            return transferAction(key, transfer).map { make($0.0, $0.1) } ?? .failure(.notHere(key, source))
        case (.approvals, .approve), (.approvals, .cancel):
            guard let approval = data.approvals?.first(where: { String($0.id) == id }) else { return .failure(.gone) }
            let approving = key == .approve
            return make(approving ? .approve(id: approval.id) : .rejectApproval(id: approval.id), [
                "\(approving ? "Approve" : "Reject") approval \(approval.id): \(approval.action) of \(approval.targetID), "
                    + "asked for by \(approval.requestedBy).",
                "Their reason: \(approval.reason)",
                approving ? "The core then runs it once, under its lock, and refuses it if the row changed since they looked."
                          : "Nothing runs; they can ask again.",
                "You cannot approve your own request.",
            ])
        case (.heldLocks, .cancel):
            guard let lock = data.heldLocks?.rows.first(where: { $0.key == id }) else { return .failure(.gone) }
            return make(.releaseLock(key: lock.key), releaseLock(lock, now: now))
        default:
            return .failure(.notHere(key, source))
        }
    }

    /// Why no dialog opened.
    enum PlanError: Error, Equatable {
        case gone
        case notHere(ActionKey, PaneSource)

        var message: String {
            switch self {
            case .gone: "the selected row is no longer on the page; wait for the refresh and look again"
            case .notHere(let key, let source): "no \(key.rawValue) action on \(source.rawValue) rows: ? lists what each key does"
            }
        }
    }

    private static func cancelAuction(_ auction: LiveAuction) -> [String] {
        [
            "Cancel auction \(auction.id): \(auction.gift) (nft \(auction.nftID)), seller \(auction.seller), "
                + (auction.bidder.map { "top bid \(TON.format(auction.currentBid ?? 0)) by \($0)" } ?? "no bids") + ".",
            "The NFT goes back to \(auction.seller); the auction leaves the live list.",
        ]
    }

    private static func rejectProposal(_ proposal: PendingProposal) -> [String] {
        [
            "Reject proposal \(proposal.id) by \(proposal.proposer) on trade \(proposal.tradeID) (owner \(proposal.owner)).",
            "The offered NFTs go back to \(proposal.proposer): \(proposal.items.joined(separator: ", ")).",
        ]
    }

    private static func transferAction(_ key: ActionKey, _ transfer: PendingTransfer) -> (OperatorActionRequest, [String])? {
        let amount = TON.format(transfer.amount)
        switch (transfer.kind, key) {
        case (.channel, .force):
            return (.forceCompleteTransfer(id: transfer.entityID, version: transfer.version), [
                "Force-complete channel transfer \(transfer.entityID): \(transfer.subject) to \(transfer.user) for \(amount).",
                "The seller is paid from escrow, less the commission; \(transfer.user) becomes the channel's owner.",
            ])
        case (.channel, .cancel):
            return (.cancelTransfer(id: transfer.entityID, version: transfer.version), [
                "Cancel channel transfer \(transfer.entityID): \(transfer.subject) to \(transfer.user) for \(amount).",
                "The escrow goes back to \(transfer.user); the channel stays with its seller.",
            ])
        case (.channel, .retry):
            return (.retryTransfer(id: transfer.entityID), [
                "Ask Telegram again to hand \(transfer.subject) to \(transfer.user) (attempt \(transfer.attempts + 1)).",
                "The outcome is committed when Telegram answers; an unknown outcome leaves it pending.",
            ])
        case (.withdrawal, .force):
            return (.resolveWithdrawalSent(id: transfer.entityID, version: transfer.version, txHash: ""), [
                "Resolve withdrawal \(transfer.entityID) of \(amount) to \(transfer.subject) (\(transfer.user)) as SENT.",
                "Nothing is refunded: the payout is recorded with the transaction hash you type.",
            ])
        case (.withdrawal, .cancel):
            return (.resolveWithdrawalFailed(id: transfer.entityID, version: transfer.version), [
                "Resolve withdrawal \(transfer.entityID) of \(amount) to \(transfer.subject) (\(transfer.user)) as FAILED.",
            ])
        case (.withdrawal, .retry), (_, .approve):
            return nil
        }
    }

    private static func releaseLock(_ lock: HeldLock, now: Date) -> [String] {
        let held = now.timeIntervalSince(Date(timeIntervalSince1970: Double(lock.acquiredAtMilliseconds) / 1000))
        return [
            "Release lock \(lock.key) held by \(lock.host):\(lock.pid) (\(lock.operation), fence \(lock.fence)) for \(Int(held)) s.",
            "Its fence advances, so that holder can no longer commit; \(lock.waiters) waiter(s) are woken.",
            "Only for a holder that is gone or stuck: a live holder's transaction will roll back.",
        ]
    }
}
