import Foundation
import Testing
@testable import MarketCore

/// What the database itself enforces, tried the way around the console: plain SQL as each
/// operator login, `SET ROLE`, a forged audit row, a superuser's approval. Table-driven, as
/// Teleport's `TestReviewThresholds` is: every case names who tries what and what must happen.
@Suite("Database enforcement of operator identity")
struct DatabaseEnforcementTests {
    /// Writes no operator login may make with psql, whatever its role.
    static let forbiddenWrites: [(String, String)] = [
        ("credit a user", "UPDATE users SET balance = balance + 1000000000 WHERE id = 0"),
        ("delete an auction", "DELETE FROM auctions"),
        ("write a ledger row", "INSERT INTO ledger (account_id, delta, kind, reference) VALUES (0, 1, 'deposit', 'psql')"),
        ("take an NFT", "UPDATE nfts SET owner_id = 0"),
        ("rewrite the audit", "UPDATE operator_actions SET operator = 'someone else'"),
        ("delete the audit", "DELETE FROM operator_actions"),
        ("truncate the audit", "TRUNCATE operator_actions"),
        ("forge an audit row", "INSERT INTO operator_actions (operator, role, action, target, reason, outcome) "
            + "VALUES ('boss', 'admin', 'cancel-auction', 'auction:1', 'x', 'done')"),
        ("approve by hand", "UPDATE operator_approvals SET state = 'done', decided_by = 'boss'"),
        ("lift the two-person rule", "DELETE FROM operator_policy"),
        ("grant itself admin", "GRANT market_admin TO CURRENT_USER"),
    ]

    @Test(arguments: [OperatorRole?.none, .viewer, .oncall, .moderator, .admin])
    func noOperatorLoginWritesTheMarketOrTheAuditWithPlainSQL(_ role: OperatorRole?) async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let bidder = try await f.user("bidder", balance: 5 * ton)
            let auction = try await f.market.createAuction(nft: try await f.nft(owner: seller), seller: seller, startPrice: ton, minStep: ton,
                                                           duration: .seconds(600))
            try await f.market.bid(auction: auction, bidder: bidder, amount: ton)
            let moderator = try await f.operatorNamed("mia", role: .moderator)
            try await f.market.cancelAuction(auction, by: moderator)
            let session = try await f.operatorNamed("psql", role: role)
            let before = try await f.marketState()
            for (what, sql) in Self.forbiddenWrites {
                let refused = await #expect(throws: PostgresError.self, "\(role?.rawValue ?? "no group") may not \(what)") {
                    _ = try await session.market.services.pool.query(PostgresQuery(unsafeSQL: sql))
                }
                #expect(refused?.sqlState == "42501", "\(what): \(refused?.message ?? "")")
            }
            #expect(try await f.marketState() == before)
            #expect(try await session.market.operatorRole(session.login) == role ?? .viewer)
            // Reading is what a viewer does.
            #expect(try await session.market.services.pool.query("SELECT count(*) FROM auctions").rows[0].decode(Int.self, at: 0) == 1)
        }
    }

    @Test func noOperatorLoginChangesTheAuditEvenThroughItsOwnFunctionsOrTheSuperuser() async throws {
        try await MarketFixture.run { f in
            _ = try await f.services.pool.query("""
                INSERT INTO operator_actions (operator, role, action, target, reason, outcome)
                VALUES ('boss', 'admin', 'cancel-auction', 'auction:1', 'forged', 'done')
                """)
            let superuser = try await f.value("SELECT session_user::text", as: String.self)
            #expect(try await f.value("SELECT operator FROM operator_actions", as: String.self) == superuser,
                    "the database records who inserted the row, whatever the row says")
            for sql in ["UPDATE operator_actions SET reason = 'x'", "DELETE FROM operator_actions", "TRUNCATE operator_actions"] {
                await #expect(throws: PostgresError.self) { _ = try await f.services.pool.query(PostgresQuery(unsafeSQL: sql)) }
            }
            #expect(try await f.value("SELECT count(*) FROM operator_actions", as: Int.self) == 1)
            #expect(try await f.value("SELECT tableowner::text FROM pg_tables WHERE tablename = 'operator_actions' AND schemaname = current_schema()",
                                      as: String.self) == "market_audit")
        }
    }

    @Test func setRoleToAGroupDoesNotChangeWhoTheAuditNames() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let auction = try await f.market.createAuction(nft: try await f.nft(owner: seller), seller: seller, startPrice: ton, minStep: ton,
                                                           duration: .seconds(600))
            let mia = try await f.operatorNamed("mia", role: .moderator)
            try await mia.market.services.pool.withConnection { connection in
                _ = try await connection.simpleQuery("SET ROLE market_moderator")
                _ = try await connection.query("SELECT mc_op_cancel_auction(\(auction), NULL, 'set role', NULL)")
                _ = try await connection.simpleQuery("RESET ROLE")
            }
            #expect(try await f.auditRows() == ["\(mia.login) moderator cancel-auction auction:\(auction) done"])
            #expect(try await f.value("SELECT cancelled_by FROM auctions WHERE id = \(auction)", as: String.self) == mia.login)
        }
    }

    /// Who may decide a request for a force-complete asked by `ada`, and what becomes of the transfer.
    struct DecisionCase: Sendable, CustomTestStringConvertible {
        let name: String
        /// nil: the fixture's superuser session.
        let decider: OperatorRole??
        let expected: MarketError.Code?
        var testDescription: String { name }
    }

    static let decisions: [DecisionCase] = [
        DecisionCase(name: "the requester itself", decider: nil, expected: .forbidden),
        DecisionCase(name: "a login in no group", decider: .some(.none), expected: .forbidden),
        DecisionCase(name: "a moderator", decider: .some(.moderator), expected: .forbidden),
        DecisionCase(name: "an oncall", decider: .some(.oncall), expected: .forbidden),
        DecisionCase(name: "a second admin", decider: .some(.admin), expected: nil),
    ]

    @Test(arguments: decisions)
    func onlyASecondAdminLoginDecidesAForceComplete(_ decision: DecisionCase) async throws {
        try await MarketFixture.run(telegram: ScriptedTelegram(.unknown), twoPersonActions: [.forceCompleteTransfer]) { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            let seller = try await f.user("s")
            let (_, transfer) = try await f.pendingTransfer(seller: seller, buyer: try await f.user("b", balance: 9 * ton),
                                                            telegramChannel: 5, price: 3 * ton)
            let approval = try await f.market.requestApproval(.forceCompleteTransfer, target: transfer, expectedVersion: nil, by: ada)
            var decider = ada
            if let role = decision.decider { decider = try await f.operatorNamed("decider", role: role) }
            // Straight at the database too: the function is the rule, not the Swift around it.
            let direct = await #expect(throws: PostgresError.self) {
                _ = try await ada.market.services.pool.query("SELECT mc_op_resolve_transfer(\(transfer), true, NULL, 'psql', \(approval))")
            }
            #expect(direct?.sqlState == "MC403")
            let bypass = await #expect(throws: PostgresError.self) {
                _ = try await ada.market.services.pool.query("SELECT mc_op_resolve_transfer(\(transfer), true, NULL, 'psql', NULL)")
            }
            #expect(bypass?.sqlState == "MC428", "without an approval the database refuses it as needing one")

            if let expected = decision.expected {
                let refused = await #expect(throws: MarketError.self) { _ = try await f.market.approve(approval, by: decider) }
                #expect(refused?.code == expected)
                #expect(try await f.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "pending")
                #expect(try await f.value("SELECT state FROM operator_approvals WHERE id = \(approval)", as: String.self) == "pending")
            } else {
                _ = try await f.market.approve(approval, by: decider)
                #expect(try await f.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "completed")
                #expect(try await f.value("SELECT requested_by || ' ' || decided_by FROM operator_approvals", as: String.self)
                        == "\(ada.login) \(decider.login)")
                let twice = await #expect(throws: MarketError.self) { _ = try await f.market.approve(approval, by: decider) }
                #expect(twice?.code == .invalidState, "one operator decides a request once")
                #expect(try await f.value("SELECT count(*) FROM ledger WHERE account_id = \(seller) AND kind = 'sale'", as: Int.self) == 1)
            }
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aSuperuserSessionCannotApprove() async throws {
        try await MarketFixture.run(telegram: ScriptedTelegram(.unknown), twoPersonActions: [.forceCompleteTransfer]) { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            let (_, transfer) = try await f.pendingTransfer(seller: try await f.user("s"), buyer: try await f.user("b", balance: 9 * ton),
                                                            telegramChannel: 6, price: 3 * ton)
            let approval = try await f.market.requestApproval(.forceCompleteTransfer, target: transfer, expectedVersion: nil, by: ada)
            #expect(try await f.market.identity().isSuperuser)
            let refused = await #expect(throws: MarketError.self) {
                _ = try await f.market.approve(approval, by: OperatorRequest(reason: "I can do anything"))
            }
            #expect(refused?.code == .forbidden)
            #expect(refused?.description.hasSuffix("is a superuser session, which can take any identity: approvals need an ordinary login") == true)
            #expect(try await f.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "pending")
        }
    }

    @Test func aTwoPersonListNamingAnActionThatCannotWaitIsRefused() async throws {
        try await MarketFixture.run { f in
            for action in OperatorAction.allCases where !action.canWaitForApproval {
                let refused = await #expect(throws: MarketError.self) { try await f.market.setTwoPersonActions([action]) }
                #expect(refused?.code == .invalidArgument)
            }
            try await f.market.setTwoPersonActions([.resolveWithdrawal, .cancelTransfer])
            #expect(try await f.market.twoPersonActions() == [.resolveWithdrawal, .cancelTransfer])
            let ada = try await f.operatorNamed("ada", role: .admin)
            let lifted = await #expect(throws: MarketError.self) { try await ada.market.setTwoPersonActions([]) }
            #expect(lifted?.code == .forbidden, "an admin login cannot lift the rule for itself")
            #expect(try await f.market.twoPersonActions() == [.resolveWithdrawal, .cancelTransfer])
        }
    }

    @Test func aWithdrawalUnderTheTwoPersonRuleIsNotRefundedByOneAdmin() async throws {
        try await MarketFixture.run(behaviour: .init(unknownRate: 1), twoPersonActions: [.resolveWithdrawal]) { f in
            let user = try await f.user("saver", balance: 5 * ton)
            let withdrawal = try await f.market.withdraw(user: user, amount: 2 * ton, destination: "EQaddr", idempotencyKey: "k")
            let ada = try await f.operatorNamed("ada", role: .admin)
            let bo = try await f.operatorNamed("bo", role: .admin)
            let alone = await #expect(throws: MarketError.self) {
                _ = try await f.market.resolveWithdrawal(withdrawal.id, sentWithHash: nil, by: ada)
            }
            #expect(alone?.code == .needsApproval)
            #expect(try await f.balance(user) == (3 * ton, 0))
            let approval = try await ada.market.requestApproval(.resolveWithdrawal, target: withdrawal.id, expectedVersion: nil,
                                                                argument: "tx-seen", by: ada.request)
            _ = try await f.market.approve(approval, by: bo)
            #expect(try await f.value("SELECT state || ' ' || tx_hash FROM withdrawals", as: String.self) == "sent tx-seen")
            #expect(try await f.violations().isEmpty)
        }
    }

    /// One admin cannot make a second approver of its own: a login made (or promoted) by an
    /// operator after the request was filed cannot approve it.
    @Test func anOperatorMadeAfterTheRequestCannotApproveIt() async throws {
        try await MarketFixture.run(telegram: ScriptedTelegram(.unknown), twoPersonActions: [.forceCompleteTransfer]) { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            let (_, transfer) = try await f.pendingTransfer(seller: try await f.user("s"), buyer: try await f.user("b", balance: 9 * ton),
                                                            telegramChannel: 7, price: 3 * ton)
            let approval = try await f.market.requestApproval(.forceCompleteTransfer, target: transfer, expectedVersion: nil, by: ada)
            let alt = f.loginName("alt")
            try await f.market.addOperator(alt, role: .admin, by: ada)
            let altSession = try await f.connect(as: alt, reason: "mine")
            let refused = await #expect(throws: MarketError.self) { _ = try await f.market.approve(approval, by: altSession) }
            #expect(refused?.code == .forbidden)
            #expect(refused?.description == "\(alt) was made an operator after approval \(approval) was asked for: another operator must approve it")
            #expect(try await f.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "pending")
        }
    }

    /// The commit-time fence check is the only way an operator login writes `lock_fences`, and it
    /// never lowers a fence nor takes one past 2^53.
    @Test func operatorLoginsWriteFencesOnlyThroughTheCheck() async throws {
        try await MarketFixture.run { f in
            _ = try await f.services.pool.query("SELECT mc_check_fence('auction:bid:1', 100)")
            let mia = try await f.operatorNamed("mia", role: .moderator)
            let pool = mia.market.services.pool
            for sql in ["UPDATE lock_fences SET fence = 0", "DELETE FROM lock_fences", "INSERT INTO lock_fences (lock_key, fence) VALUES ('x', 1)"] {
                let refused = await #expect(throws: PostgresError.self, "\(sql)") { _ = try await pool.query(PostgresQuery(unsafeSQL: sql)) }
                #expect(refused?.sqlState == "42501", "\(sql): \(refused?.message ?? "")")
            }
            // Nor stall every commit by locking the table (LOCK needs a transaction block).
            let lock = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { connection in
                    _ = try await connection.simpleQuery("BEGIN")
                    do {
                        _ = try await connection.simpleQuery("LOCK TABLE lock_fences IN ACCESS EXCLUSIVE MODE")
                    } catch {
                        _ = try? await connection.simpleQuery("ROLLBACK")
                        throw error
                    }
                    _ = try await connection.simpleQuery("ROLLBACK")
                }
            }
            #expect(lock?.sqlState == "42501")
            let lower = await #expect(throws: PostgresError.self) { _ = try await pool.query("SELECT mc_check_fence('auction:bid:1', 5)") }
            #expect(lower?.sqlState == "MC409")
            let huge = await #expect(throws: PostgresError.self) {
                _ = try await pool.query("SELECT mc_check_fence('auction:bid:1', 9223372036854775807)")
            }
            #expect(huge?.sqlState == "MC400")
            #expect(try await f.value("SELECT fence FROM lock_fences WHERE lock_key = 'auction:bid:1'", as: Int64.self) == 100)
            let viewer = try await f.operatorNamed("vic", role: .viewer)
            let notAllowed = await #expect(throws: PostgresError.self) {
                _ = try await viewer.market.services.pool.query("SELECT mc_check_fence('auction:bid:1', 200)")
            }
            #expect(notAllowed?.sqlState == "42501")
        }
    }
}
