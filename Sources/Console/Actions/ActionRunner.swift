import Foundation
import MarketCore

/// Runs a ``ConsoleAction`` through the core's operation — the same locked, audited Unit of Work
/// the market runs — and classifies how it ended.
struct ActionRunner: Sendable {
    let market: Market

    /// Probes the lock and rows of a draft: what the dialog shows under "Now:".
    func preflight(lockKey: String, rows: [PreflightRow]) async -> PreflightLines {
        do {
            let report = try await market.preflight(lockKey: lockKey, rows: rows)
            var lines: [String] = []
            if let holder = report.lockHolder {
                let held = Date().timeIntervalSince(Date(timeIntervalSince1970: Double(holder.acquiredAtMilliseconds) / 1000))
                lines.append("lock \(lockKey) is held by \(holder.host):\(holder.pid) (\(holder.operation)) for \(Int(held)) s; "
                             + "the action waits for it (\(holder.ttlLeftMilliseconds) ms of lease left)")
            } else {
                lines.append("lock \(lockKey) is free")
            }
            if report.rowsFree {
                lines.append(rows.isEmpty ? "no rows to lock" : "the rows can be locked")
            } else {
                lines.append("the rows are locked by another transaction; the action gives up after its lock timeout:")
                for session in report.rowHolders.prefix(3) {
                    lines.append("  pid \(session.id) (\(session.application), \(session.state), open "
                                 + "\(Int(Date().timeIntervalSince(session.transactionStart))) s): \(session.query)")
                }
            }
            return PreflightLines(lines: lines, clear: report.lockHolder == nil && report.rowsFree)
        } catch {
            return PreflightLines(lines: ["could not probe: \(error)"], clear: false)
        }
    }

    func run(_ action: ConsoleAction, reason: String) async -> ActionOutcome {
        let request = OperatorRequest(reason: reason)
        do {
            if let (target, version, argument) = action.approvalTarget,
               try await market.twoPersonActions().contains(action.operatorAction) {
                let approval = try await market.requestApproval(action.operatorAction, target: target, expectedVersion: version,
                                                                argument: argument, by: request)
                return .done("\(action.operatorAction.rawValue) of \(action.target) waits for a second operator: approval \(approval) (:approvals)")
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
            return .refused("\(action.target)'s rows stayed locked by another transaction past the lock timeout; "
                            + "nothing changed — see :locks for who holds them")
        } catch {
            return .unavailable("\(error)")
        }
    }
}
