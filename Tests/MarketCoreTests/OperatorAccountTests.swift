import Foundation
import Testing
@testable import MarketCore

/// Managing operators: operators are logins granted a group role; a superuser or the schema's
/// owner sets the first admin up, admins do the rest, and every change is audited by the database.
@Suite("Operator accounts")
struct OperatorAccountTests {
    @Test func aSuperuserAddsTheFirstAdminCreatingItsLoginAndIsAudited() async throws {
        try await MarketFixture.run { f in
            let ada = f.loginName("ada")
            try await f.market.addOperator(ada, role: .admin, by: OperatorRequest(reason: "first admin"))
            let account = try #require(try await f.market.operators().first { $0.login == ada })
            #expect(account == OperatorAccount(login: ada, role: .admin, canLogIn: true, isSuperuser: false))
            #expect(try await f.market.operatorRole(ada) == .admin)
            #expect(try await f.market.operatorRole("nobody_at_all") == .viewer)
            #expect(try await f.value("SELECT rolcanlogin AND rolpassword IS NULL FROM pg_authid WHERE rolname = \(ada)", as: Bool.self))
            let session = try await f.value("SELECT session_user::text", as: String.self)
            #expect(try await f.auditRows() == ["\(session) superuser manage-operators operator:\(ada) done"])
            #expect(try await f.value("SELECT detail || ' / ' || reason FROM operator_actions", as: String.self)
                    == "added as admin; login created / first admin")
        }
    }

    @Test func anAdminAddsChangesAndRemovesOperatorsAndEveryChangeIsAudited() async throws {
        try await MarketFixture.run { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            let mia = f.loginName("mia"), olly = f.loginName("olly")
            try await f.market.addOperator(mia, role: .moderator, by: ada)
            try await f.market.addOperator(olly, role: .oncall, by: ada)
            try await f.market.addOperator(mia, role: .admin, by: ada)
            try await f.market.addOperator(mia, role: .admin, by: ada)
            let ours = Set([ada.login, mia, olly])
            #expect(try await f.market.operators().filter { ours.contains($0.login) }.map { "\($0.login) \($0.role.rawValue)" }
                    == ["\(ada.login) admin", "\(mia) admin", "\(olly) oncall"])
            try await f.market.removeOperator(olly, by: ada)
            #expect(try await f.market.operatorRole(olly) == .viewer)
            #expect(try await f.value("""
                SELECT string_agg(target || ': ' || detail, ' | ' ORDER BY id) FROM operator_actions WHERE operator = \(ada.login)
                """, as: String.self)
                    == "operator:\(mia): added as moderator; login created | operator:\(olly): added as oncall; login created"
                    + " | operator:\(mia): role moderator → admin | operator:\(olly): removed (was oncall)")

            let unknown = await #expect(throws: MarketError.self) { try await f.market.removeOperator(olly, by: ada) }
            #expect(unknown?.description == "no operator \(olly)")
            for name in ["", "two words", String(repeating: "x", count: 64), "tab\there", "market_app", "pg_monitor"] {
                let bad = await #expect(throws: MarketError.self) { try await f.market.addOperator(name, role: .viewer, by: ada) }
                #expect(bad?.description == "an operator login needs 1 to 63 characters, no spaces, and no market_ or pg_ prefix")
            }
            #expect(try await f.value("SELECT count(*) FROM operator_actions WHERE operator = \(ada.login)", as: Int.self) == 4)
        }
    }

    @Test(arguments: [OperatorRole.viewer, .oncall, .moderator])
    func onlyAdminsManageOperators(_ role: OperatorRole) async throws {
        try await MarketFixture.run { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            let request = try await f.operatorNamed("\(role.rawValue)-op", role: role)
            let eve = f.loginName("eve")
            let add = await #expect(throws: MarketError.self) { try await f.market.addOperator(eve, role: .admin, by: request) }
            #expect(add?.code == .forbidden)
            #expect(add?.description == "operator \(request.login) (\(role.rawValue)) may not manage-operators: admin only")
            let remove = await #expect(throws: MarketError.self) { try await f.market.removeOperator(ada.login, by: request) }
            #expect(remove?.code == .forbidden)
            let promote = await #expect(throws: MarketError.self) { try await f.market.addOperator(request.login, role: .admin, by: request) }
            #expect(promote?.code == .forbidden)
            #expect(try await f.market.operatorRole(request.login) == role)
            #expect(try await f.value("SELECT count(*) FROM pg_roles WHERE rolname = \(eve)", as: Int.self) == 0)
            // Nor with plain SQL: granting itself a group takes an admin option it does not have.
            await #expect(throws: PostgresError.self) {
                _ = try await request.market.services.pool.query(PostgresQuery(unsafeSQL: "GRANT market_admin TO \"\(request.login)\""))
            }
            #expect(try await f.market.operatorRole(request.login) == role)
            let op = "\(request.login) \(role.rawValue) manage-operators"
            #expect(try await f.auditRows().filter { $0.hasPrefix(request.login) }
                    == ["\(op) operator:\(eve) forbidden", "\(op) operator:\(ada.login) forbidden", "\(op) operator:\(request.login) forbidden"])
        }
    }

    @Test func aFailedCommitLeavesNeitherTheChangeNorItsAuditRow() async throws {
        try await MarketFixture.run { f in
            let ada = try await f.operatorNamed("ada", role: .admin)
            try await f.failCommitsThatAudit()
            let mia = f.loginName("mia")
            await #expect(throws: UnitOfWorkError.self) { try await f.market.addOperator(mia, role: .moderator, by: ada) }
            #expect(try await f.market.operatorRole(mia) == .viewer)
            #expect(try await f.value("SELECT count(*) FROM pg_roles WHERE rolname = \(mia)", as: Int.self) == 0)
            #expect(try await f.auditRows() == [])
        }
    }
}
