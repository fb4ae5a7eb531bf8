import Foundation
import Testing
@testable import MarketCore

/// Managing operators: local setup makes the first admin, admins do the rest, every change is
/// audited, and the last admin stays.
@Suite("Operator accounts")
struct OperatorAccountTests {
    @Test func localSetupAddsTheFirstAdminAndIsAudited() async throws {
        try await MarketFixture.run { f in
            #expect(try await f.market.operators() == [])
            let before = Date()
            try await f.market.addOperator("ada", role: .admin, by: nil)
            let accounts = try await f.market.operators()
            #expect(accounts.map(\.name) == ["ada"])
            #expect(accounts.map(\.role) == [.admin])
            #expect(abs(try #require(accounts.first).createdAt.timeIntervalSince(before)) < 60)
            #expect(try await f.market.operatorRole("ada") == .admin)
            #expect(try await f.market.operatorRole("nobody") == .viewer)
            #expect(try await f.auditRows() == ["local setup local manage-operators operator:ada done"])
            #expect(try await f.value("SELECT detail || ' / ' || reason FROM operator_actions", as: String.self)
                    == "added as admin / trusted local setup by \(ProcessIdentity.current.name)")
        }
    }

    @Test func anAdminAddsChangesAndRemovesOperatorsAndEveryChangeIsAudited() async throws {
        try await MarketFixture.run { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            try await f.market.addOperator("mia", role: .moderator, by: ada)
            try await f.market.addOperator("olly", role: .oncall, by: ada)
            try await f.market.addOperator("mia", role: .admin, by: ada)
            try await f.market.addOperator("mia", role: .admin, by: ada)
            #expect(try await f.market.operators().map { "\($0.name) \($0.role.rawValue)" } == ["ada admin", "mia admin", "olly oncall"])
            try await f.market.removeOperator("olly", by: ada)
            #expect(try await f.market.operatorRole("olly") == .viewer)
            #expect(try await f.value("SELECT string_agg(target || ': ' || detail, ' | ' ORDER BY id) FROM operator_actions", as: String.self)
                    == "operator:mia: added as moderator | operator:olly: added as oncall | operator:mia: role moderator → admin"
                    + " | operator:olly: removed (was oncall)")
            #expect(Set(try await f.auditRows()) == ["ada admin manage-operators operator:mia done", "ada admin manage-operators operator:olly done"])

            let unknown = await #expect(throws: MarketError.self) { try await f.market.removeOperator("olly", by: ada) }
            #expect(unknown?.description == "no operator olly")
            for name in ["", "two words", String(repeating: "x", count: 65), "tab\there"] {
                let bad = await #expect(throws: MarketError.self) { try await f.market.addOperator(name, role: .viewer, by: ada) }
                #expect(bad?.description == "an operator name needs 1 to 64 characters and no spaces")
            }
            #expect(try await f.value("SELECT count(*) FROM operator_actions", as: Int.self) == 4)
        }
    }

    @Test(arguments: [OperatorRole.viewer, .oncall, .moderator])
    func onlyAdminsManageOperators(_ role: OperatorRole) async throws {
        try await MarketFixture.run { f in
            _ = try await f.operatorNamed("ada", role: .admin)
            let request = try await f.operatorNamed("\(role.rawValue)-op", role: role)
            let before = try await f.marketStateApartFromAudit()
            let add = await #expect(throws: MarketError.self) { try await f.market.addOperator("eve", role: .admin, by: request) }
            #expect(add?.kind == .forbidden)
            #expect(add?.description == "operator \(role.rawValue)-op (\(role.rawValue)) may not manage-operators: admin only")
            let remove = await #expect(throws: MarketError.self) { try await f.market.removeOperator("ada", by: request) }
            #expect(remove?.kind == .forbidden)
            let promote = await #expect(throws: MarketError.self) {
                try await f.market.addOperator(request.operatorName, role: .admin, by: request)
            }
            #expect(promote?.kind == .forbidden)
            #expect(try await f.marketStateApartFromAudit() == before)
            let op = "\(role.rawValue)-op \(role.rawValue) manage-operators"
            #expect(try await f.auditRows() == ["\(op) operator:eve forbidden", "\(op) operator:ada forbidden",
                                                "\(op) operator:\(role.rawValue)-op forbidden"])
        }
    }

    @Test func theLastAdminCannotBeRemovedOrDemoted() async throws {
        try await MarketFixture.run { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            let removed = await #expect(throws: MarketError.self) { try await f.market.removeOperator("ada", by: ada) }
            #expect(removed?.description == "operator ada is the last admin: add another admin first")
            let demoted = await #expect(throws: MarketError.self) { try await f.market.addOperator("ada", role: .viewer, by: nil) }
            #expect(demoted?.kind == .invalidState)
            #expect(try await f.market.operatorRole("ada") == .admin)
            #expect(try await f.auditRows() == [])

            try await f.market.addOperator("bob", role: .admin, by: ada)
            try await f.market.removeOperator("ada", by: ada)
            #expect(try await f.market.operators().map(\.name) == ["bob"])
        }
    }

    /// Two admins remove each other at the same moment, 50 times over: one of them always stays.
    @Test func twoAdminsRemovingEachOtherLeaveOneAdmin() async throws {
        try await MarketFixture.run { f in
            for round in 0..<50 {
                let first = try await f.operatorNamed("a\(round)", role: .admin)
                let second = try await f.operatorNamed("b\(round)", role: .admin)
                let removals = await withTaskGroup(of: Bool.self) { group in
                    group.addTask { (try? await f.market.removeOperator(second.operatorName, by: first)) != nil }
                    group.addTask { (try? await f.market.removeOperator(first.operatorName, by: second)) != nil }
                    return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
                }
                #expect(removals == 1)
                #expect(try await f.value("SELECT count(*) FROM operators WHERE role = 'admin'", as: Int.self) == 1)
                _ = try await f.services.pool.query("DELETE FROM operators")
            }
        }
    }

    @Test func aFailedCommitLeavesNeitherTheChangeNorItsAuditRow() async throws {
        try await MarketFixture.run { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            try await f.failCommitsThatAudit()
            await #expect(throws: UnitOfWorkError.self) { try await f.market.addOperator("mia", role: .moderator, by: ada) }
            await #expect(throws: UnitOfWorkError.self) { try await f.market.addOperator("root", role: .admin, by: nil) }
            #expect(try await f.market.operators().map(\.name) == ["ada"])
            #expect(try await f.auditRows() == [])
        }
    }
}
