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

/// Turns an action key on a selected row into a confirmation dialog that states exactly what will
/// run: the lock, the rows it locks, the amounts and the users.
enum ActionPlanner {
    /// The draft for `key` on the row `id` of `source`, or why there is none.
    static func draft(_ key: ActionKey, source: PaneSource, id: String, in data: FetchResult, now: Date) -> Result<ActionDraft, PlanError> {
        func make(_ action: ConsoleAction, _ effects: [String], lock: String) -> Result<ActionDraft, PlanError> {
            .success(ActionDraft(action: action, effects: effects, lockKey: lock, rows: action.lockedRows, openedAt: now))
        }
        switch (source, key) {
        case (.auctions, .cancel):
            guard let auction = data.auctions?.rows.first(where: { String($0.id) == id }) else { return .failure(.gone) }
            return make(.cancelAuction(id: auction.id, version: auction.version), cancelAuction(auction), lock: "auction:bid:\(auction.id)")
        case (.proposals, .cancel):
            guard let proposal = data.proposals?.rows.first(where: { String($0.id) == id }) else { return .failure(.gone) }
            return make(.rejectProposal(id: proposal.id, version: proposal.version), rejectProposal(proposal),
                        lock: "trade:proposal:\(proposal.id)")
        case (.transfers, _):
            guard let transfer = data.transfers?.rows.first(where: { $0.id == id }) else { return .failure(.gone) }
            return transferAction(key, transfer).map { make($0.0, $0.1, lock: transfer.lockKey) } ?? .failure(.notHere(key, source))
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
            ], lock: "approval:\(approval.id)")
        case (.heldLocks, .cancel):
            guard let lock = data.heldLocks?.rows.first(where: { $0.key == id }) else { return .failure(.gone) }
            return make(.releaseLock(key: lock.key), releaseLock(lock, now: now), lock: lock.key)
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
        var lines = ["Cancel auction \(auction.id): \(auction.gift) (nft \(auction.nftID)), seller \(auction.seller)."]
        if let bid = auction.currentBid, let bidder = auction.bidder {
            lines.append("Release the top bid \(TON.format(bid)) held for \(bidder) (user \(auction.bidderID ?? 0)) to their balance.")
        } else {
            lines.append("No bid to release.")
        }
        lines.append("The NFT goes back to \(auction.seller); the auction leaves the live list.")
        lines.append("Lock auction:bid:\(auction.id) · rows locked FOR UPDATE: auction \(auction.id), its NFT, the bidder.")
        lines.append("Runs only if the auction is still at version \(auction.version) (\(auction.bids) bids), as shown.")
        return lines
    }

    private static func rejectProposal(_ proposal: PendingProposal) -> [String] {
        [
            "Reject proposal \(proposal.id) by \(proposal.proposer) on trade \(proposal.tradeID) (owner \(proposal.owner)).",
            "The offered NFTs go back to \(proposal.proposer): \(proposal.items.joined(separator: ", ")).",
            "Lock trade:proposal:\(proposal.id) · rows locked FOR UPDATE: the proposal and its NFTs.",
            "Runs only if the proposal is still at version \(proposal.version), as shown.",
        ]
    }

    private static func transferAction(_ key: ActionKey, _ transfer: PendingTransfer) -> (ConsoleAction, [String])? {
        let amount = TON.format(transfer.amount)
        let guardLine = "Runs only if it is still at version \(transfer.version) (\(transfer.attempts) attempts), as shown."
        switch (transfer.kind, key) {
        case (.channel, .force):
            return (.forceCompleteTransfer(id: transfer.entityID, version: transfer.version), [
                "Force-complete channel transfer \(transfer.entityID): \(transfer.subject) to \(transfer.user).",
                "Pay the seller \(amount) from escrow, less the commission; \(transfer.user) becomes the channel's owner.",
                "Lock \(transfer.lockKey) · rows locked FOR UPDATE: the transfer, the channel, seller and buyer.",
                guardLine,
            ])
        case (.channel, .cancel):
            return (.cancelTransfer(id: transfer.entityID, version: transfer.version), [
                "Cancel channel transfer \(transfer.entityID): \(transfer.subject).",
                "Refund \(amount) from escrow to \(transfer.user); the channel stays with its seller.",
                "Lock \(transfer.lockKey) · rows locked FOR UPDATE: the transfer, the channel, the buyer.",
                guardLine,
            ])
        case (.channel, .retry):
            return (.retryTransfer(id: transfer.entityID), [
                "Ask Telegram again to hand \(transfer.subject) to \(transfer.user) (attempt \(transfer.attempts + 1)).",
                "The outcome is committed when Telegram answers; an unknown outcome leaves it pending.",
                "Lock \(transfer.lockKey).",
            ])
        case (.withdrawal, .force):
            return (.resolveWithdrawalSent(id: transfer.entityID, version: transfer.version, txHash: ""), [
                "Resolve withdrawal \(transfer.entityID) of \(amount) to \(transfer.subject) (\(transfer.user)) as SENT.",
                "Nothing is refunded: the payout is recorded with the transaction hash you type.",
                "Lock \(transfer.lockKey) · rows locked FOR UPDATE: the withdrawal and the user.",
                guardLine,
            ])
        case (.withdrawal, .cancel):
            return (.resolveWithdrawalFailed(id: transfer.entityID, version: transfer.version), [
                "Resolve withdrawal \(transfer.entityID) of \(amount) to \(transfer.subject) (\(transfer.user)) as FAILED.",
                "Refund \(amount) to \(transfer.user)'s balance.",
                "Lock \(transfer.lockKey) · rows locked FOR UPDATE: the withdrawal and the user.",
                guardLine,
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
