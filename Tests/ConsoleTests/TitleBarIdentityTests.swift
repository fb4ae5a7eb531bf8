import Foundation
import Testing
@testable import Console

/// The title bar names the login PostgreSQL authenticated and its role, and warns of a superuser.
@Suite("Title bar identity")
struct TitleBarIdentityTests {
    @Test func theTitleBarNamesTheLoginItsRoleAndAWriteWindow() {
        var model = DashboardModel(initialView: .overview, identity: OperatorIdentity(name: "mia_ops", role: .moderator))
        #expect(DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode).identity == "mia_ops · moderator · read-only")
        model.identity.readOnly = true
        #expect(DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode).identity == "mia_ops · moderator · --readonly")
    }

    @Test func aSuperuserSessionIsSaidToBeOne() {
        let model = DashboardModel(initialView: .overview, identity: OperatorIdentity(name: "market", role: .admin, isSuperuser: true))
        #expect(DashboardPresenter.state(model, now: DashboardFixture.now, boxes: .unicode).identity
                == "market · admin · SUPERUSER: can act as anyone, cannot approve · read-only")
    }
}
