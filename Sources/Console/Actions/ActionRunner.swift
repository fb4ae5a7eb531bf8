import Foundation
import MarketCore

/// Plans an ``OperatorActionRequest`` and runs it through the core's operation — the same locked,
/// audited Unit of Work the market runs — classifying how it ended.
struct ActionRunner: Sendable {
    let market: Market

    /// The core's plan of `action` and the probe of exactly that plan: what the dialog shows.
    func plan(_ action: OperatorActionRequest) async -> PlannedAction {
        let plan: ActionPlan
        do {
            plan = try await market.plan(action)
        } catch {
            return PlannedAction(plan: nil, lines: ["Plan: could not be read: \(error)"], clear: false)
        }
        do {
            return PlannedAction(plan: plan, report: try await market.preflight(plan))
        } catch {
            return PlannedAction(plan: plan, report: nil, probeError: error)
        }
    }

    /// Runs `action`, recording into `record` the locks and statements the core runs for it
    /// (the command log's entry).
    func run(_ action: OperatorActionRequest, reason: String, recordingInto record: ExecutionRecord) async -> ActionOutcome {
        await ExecutionRecord.record(into: record) { await run(action, reason: reason) }
    }

    /// Runs `action` through its core operation and classifies how it ended.
    private func run(_ action: OperatorActionRequest, reason: String) async -> ActionOutcome {
        let request = OperatorRequest(reason: reason)
        do {
            if let (target, version, argument) = action.approvalTarget,
               try await market.twoPersonActions().contains(action.operatorAction) {
                let approval = try await market.requestApproval(action.operatorAction, target: target, expectedVersion: version,
                                                                argument: argument, by: request)
                return .done("\(action.operatorAction.rawValue) of \(action.auditTarget) waits for a second operator: approval \(approval) (:approvals)")
            }
            switch action {
            case .cancelAuction(let id, let version):
                try await market.cancelAuction(id, expectedVersion: version, by: request)
                return .done("auction \(id) cancelled: top bid released, NFT back with its seller")
            case .rejectProposal(let id, let version):
                try await market.rejectProposal(id, expectedVersion: version, by: request)
                return .done("proposal \(id) rejected: its NFTs are back with the proposer")
            case .forceCompleteTransfer(let id, let version):
                try await market.forceCompleteTransfer(id, expectedVersion: version, by: request)
                return .done("transfer \(id) force-completed: seller paid, channel owner changed")
            case .cancelTransfer(let id, let version):
                try await market.cancelTransfer(id, expectedVersion: version, by: request)
                return .done("transfer \(id) cancelled: buyer refunded")
            case .retryTransfer(let id):
                let outcome = try await market.retryTransfer(id, by: request)
                return .done("transfer \(id) retried: \(outcome)")
            case .resolveWithdrawalSent(let id, let version, let txHash):
                _ = try await market.resolveWithdrawal(id, sentWithHash: txHash, expectedVersion: version, by: request)
                return .done("withdrawal \(id) resolved as sent (\(txHash))")
            case .resolveWithdrawalFailed(let id, let version):
                _ = try await market.resolveWithdrawal(id, sentWithHash: nil, expectedVersion: version, by: request)
                return .done("withdrawal \(id) resolved as failed: amount refunded")
            case .approve(let id):
                let approval = try await market.approve(id, by: request)
                return .done("approval \(id) approved: \(approval.action) of \(approval.targetID) ran (\(approval.outcome ?? "done"))")
            case .rejectApproval(let id):
                try await market.rejectApproval(id, by: request)
                return .done("approval \(id) rejected: nothing ran")
            case .releaseLock(let key):
                let released = try await market.releaseLock(key: key, by: request)
                return .done("lock \(key) released from \(released.previousHolder.host):\(released.previousHolder.pid); new fence \(released.newFence)")
            }
        } catch let error as MarketError where error.code == .forbidden {
            return .forbidden(error.description)
        } catch let error as MarketError {
            return .refused(error.description)
        } catch let error as PostgresError where error.code == .lockNotAvailable {
            return .refused("\(action.auditTarget)'s rows stayed locked by another transaction past the lock timeout; "
                            + "nothing changed — see :locks for who holds them")
        } catch {
            return .unavailable("\(error)")
        }
    }
}
