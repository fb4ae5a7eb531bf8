import Foundation
import Testing
@testable import MarketCore

/// The two-person rule, enforced by the database: a force-complete is recorded as waiting, a
/// second login approves, and only then does it run — once, in the approving transaction.
@Suite("Two-person approvals")
struct ApprovalTests {
    let ton = TON.nano

    @Test func aForceCompleteRunDirectlyIsRefusedAsNeedingApproval() async throws {
        try await MarketFixture.run(telegram: ScriptedTelegram(.unknown), twoPersonActions: [.forceCompleteTransfer]) { fixture in
            let ada = try await fixture.operatorNamed("ada", role: .admin)
            let (_, transfer) = try await fixture.pendingTransfer(seller: try await fixture.user("s"), buyer: try await fixture.user("b", balance: 9 * ton),
                                                                  telegramChannel: 1, price: 3 * ton)
            let error = await #expect(throws: MarketError.self) { try await fixture.market.forceCompleteTransfer(transfer, by: ada) }
            #expect(error?.code == .needsApproval)
            #expect(try await fixture.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "pending")
        }
    }

    @Test func aSecondAdminApprovesAndTheTransferCompletesOnce() async throws {
        try await MarketFixture.run(telegram: ScriptedTelegram(.unknown), twoPersonActions: [.forceCompleteTransfer]) { fixture in
            let ada = try await fixture.operatorNamed("ada", role: .admin)
            let bo = try await fixture.operatorNamed("bo", role: .admin, reason: "checked with the buyer")
            let seller = try await fixture.user("s")
            let (_, transfer) = try await fixture.pendingTransfer(seller: seller, buyer: try await fixture.user("b", balance: 9 * ton),
                                                                  telegramChannel: 1, price: 3 * ton)
            let approval = try await fixture.market.requestApproval(.forceCompleteTransfer, target: transfer, expectedVersion: nil, by: ada)
            #expect(try await fixture.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "pending")
            #expect(try await fixture.market.pendingApprovals().map(\.id) == [approval])
            #expect(try await fixture.market.pendingApprovals().map(\.requestedBy) == [ada.login])

            // The one who asked cannot approve; a second request for the same transfer is refused.
            let own = await #expect(throws: MarketError.self) { _ = try await fixture.market.approve(approval, by: ada) }
            #expect(own?.code == .forbidden)
            #expect(own?.description == "\(ada.login) asked for approval \(approval): a second operator must approve it")
            let again = await #expect(throws: MarketError.self) {
                _ = try await fixture.market.requestApproval(.forceCompleteTransfer, target: transfer, expectedVersion: nil, by: ada)
            }
            #expect(again?.code == .invalidState)

            let done = try await fixture.market.approve(approval, by: bo)
            #expect(done.state == "done")
            #expect(done.decidedBy == bo.login)
            #expect(try await fixture.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "completed")
            #expect(try await fixture.value("SELECT count(*) FROM ledger WHERE account_id = \(seller) AND kind = 'sale'", as: Int.self) == 1)
            // Approving again runs nothing a second time.
            let twice = await #expect(throws: MarketError.self) { _ = try await fixture.market.approve(approval, by: bo) }
            #expect(twice?.code == .invalidState)
            #expect(try await fixture.value("SELECT count(*) FROM ledger WHERE account_id = \(seller) AND kind = 'sale'", as: Int.self) == 1)
            #expect(try await fixture.market.pendingApprovals().isEmpty)
            let audit = try await fixture.auditRows()
            #expect(audit.contains { $0.hasPrefix("\(ada.login) admin force-complete-transfer") && $0.hasSuffix("pending approval") })
            #expect(audit.contains { $0.hasPrefix("\(bo.login) admin approve approval:\(approval)") })
            #expect(audit.contains { $0.hasPrefix("\(bo.login) admin force-complete-transfer") && $0.hasSuffix("done") })
            #expect(audit.filter { $0.hasSuffix("forbidden") } == ["\(ada.login) admin force-complete-transfer transfer:\(transfer) forbidden"],
                    "the self-approval was refused and audited")
            #expect(try await fixture.violations().isEmpty)
        }
    }

    @Test func aRejectedRequestRunsNothingAndAViewerCannotDecide() async throws {
        try await MarketFixture.run(telegram: ScriptedTelegram(.unknown), twoPersonActions: [.forceCompleteTransfer]) { fixture in
            let ada = try await fixture.operatorNamed("ada", role: .admin)
            let bo = try await fixture.operatorNamed("bo", role: .admin)
            let (_, transfer) = try await fixture.pendingTransfer(seller: try await fixture.user("s"), buyer: try await fixture.user("b", balance: 9 * ton),
                                                                  telegramChannel: 1, price: 3 * ton)
            let approval = try await fixture.market.requestApproval(.forceCompleteTransfer, target: transfer, expectedVersion: nil, by: ada)
            let viewer = try await fixture.operatorNamed("vic", role: nil, reason: "looks fine")
            let refused = await #expect(throws: MarketError.self) { _ = try await fixture.market.approve(approval, by: viewer) }
            #expect(refused?.code == .forbidden)
            #expect(try await fixture.auditRows().last == "\(viewer.login) viewer force-complete-transfer transfer:\(transfer) forbidden")
            try await fixture.market.rejectApproval(approval, by: bo)
            #expect(try await fixture.market.pendingApprovals().isEmpty)
            #expect(try await fixture.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "pending")
        }
    }
}
