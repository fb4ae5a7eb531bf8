import Foundation
import Testing
@testable import Console
@testable import MarketCore

/// The confirmation dialog and write mode, driven through the update loop: no slip may confirm.
@Suite("Action safety")
struct ActionSafetyTests {
    let now = DashboardFixture.now

    /// A moderator on the auctions view, with `:write 10m` typed.
    func writableAuctions(role: OperatorRole = .moderator) -> DashboardModel {
        var model = DashboardModel(initialView: .auctions, identity: OperatorIdentity(name: "mia", role: role))
        _ = model.update(.resized(width: 120, height: 40), now: now)
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan)), now: now)
        for key in ":write 10m" { _ = model.update(.key(.character(key)), now: now) }
        _ = model.update(.key(.enter), now: now)
        return model
    }

    func press(_ keys: [Key], on model: inout DashboardModel, at time: Date) -> [DashboardEffect] {
        keys.flatMap { model.update(.key($0), now: time) }
    }

    @Test func theDialogOpensWithCancelFocusedAndEnterCancels() {
        var model = writableAuctions()
        _ = press([.character("x")], on: &model, at: now)
        let draft = try! #require(model.draft)
        #expect(draft.focus == .cancel)
        #expect(draft.action == .cancelAuction(id: 42, version: 4))
        #expect(draft.effects.contains("Release the top bid 1.5 TON held for bob (user 8) to their balance."))
        let effects = press([.enter], on: &model, at: now.addingTimeInterval(1))
        #expect(effects == [])
        #expect(model.draft == nil)
        #expect(model.running == nil)
    }

    @Test func anAutoRepeatedEnterCannotConfirm() {
        var model = writableAuctions()
        _ = press([.character("x")], on: &model, at: now)
        // A held key repeats every ~30 ms: the first 400 ms are dropped, whatever they are.
        let burst = (1...12).flatMap { step in
            press([.tab, .enter], on: &model, at: now.addingTimeInterval(Double(step) * 0.03))
        }
        #expect(!burst.contains { if case .runAction = $0 { true } else { false } })
        #expect(model.draft != nil)
    }

    @Test func confirmingTakesAReasonMovingToConfirmAndAnEnterThatIsNotARepeat() {
        var model = writableAuctions()
        _ = press([.character("x")], on: &model, at: now)
        let later = now.addingTimeInterval(1)
        _ = press("stolen gift".map { .character($0) }, on: &model, at: later)
        #expect(model.draft?.reason == "stolen gift")
        _ = press([.enter], on: &model, at: later)  // Enter in the reason field goes to Cancel, not Confirm
        #expect(model.draft?.focus == .cancel)
        _ = press([.tab], on: &model, at: later)
        #expect(model.draft?.focus == .confirm)
        #expect(press([.enter], on: &model, at: later.addingTimeInterval(0.1)) == [], "an Enter right after reaching Confirm is dropped")
        let effects = press([.enter], on: &model, at: later.addingTimeInterval(1))
        #expect(effects == [.runAction(.cancelAuction(id: 42, version: 4), reason: "stolen gift")])
        #expect(model.running?.action == .cancelAuction(id: 42, version: 4))

        // The outcome lands in the command log with its lock and how long it took.
        _ = model.update(.actionFinished(.cancelAuction(id: 42, version: 4), .done("auction 42 cancelled")),
                         now: later.addingTimeInterval(1.25))
        let entry = try! #require(model.commandLog.first)
        #expect(entry.lockKey == "auction:bid:42")
        #expect(entry.outcome == .done("auction 42 cancelled"))
        #expect(abs(entry.duration - 0.25) < 0.001)
    }

    @Test func aReasonIsRequired() {
        var model = writableAuctions()
        _ = press([.character("x")], on: &model, at: now)
        _ = press([.tab], on: &model, at: now.addingTimeInterval(1))
        #expect(model.draft?.focus == .confirm)
        #expect(press([.enter], on: &model, at: now.addingTimeInterval(2)) == [])
        #expect(model.draft?.problem == "type a reason first: it goes into the audit log")
    }

    @Test func aMoneyMovingActionNeedsTheIdTyped() {
        var model = DashboardModel(initialView: .transfers, identity: OperatorIdentity(name: "ada", role: .admin))
        _ = model.update(.resized(width: 120, height: 40), now: now)
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan)), now: now)
        for key in ":write 5m" { _ = model.update(.key(.character(key)), now: now) }
        _ = model.update(.key(.enter), now: now)
        _ = press([.character("F")], on: &model, at: now)
        #expect(model.draft?.action == .forceCompleteTransfer(id: 7, version: 4))
        let later = now.addingTimeInterval(1)
        _ = press("buyer confirmed".map { .character($0) }, on: &model, at: later)
        _ = press([.tab], on: &model, at: later)
        #expect(model.draft?.focus == .typedID)
        _ = press([.character("8"), .tab, .tab], on: &model, at: later)
        #expect(press([.enter], on: &model, at: later.addingTimeInterval(1)) == [])
        #expect(model.draft?.problem == "type 7 in the id field to confirm: this moves money")
        _ = press([.backTab, .backTab, .backspace, .character("7"), .tab, .tab], on: &model, at: later.addingTimeInterval(2))
        let effects = press([.enter], on: &model, at: later.addingTimeInterval(3))
        #expect(effects == [.runAction(.forceCompleteTransfer(id: 7, version: 4), reason: "buyer confirmed")])
    }

    @Test func withoutWriteModeTheKeyIsRefusedAndWriteModeExpires() {
        var model = DashboardModel(initialView: .auctions, identity: OperatorIdentity(name: "mia", role: .moderator))
        _ = model.update(.resized(width: 120, height: 40), now: now)
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan)), now: now)
        _ = press([.character("x")], on: &model, at: now)
        #expect(model.draft == nil)
        #expect(model.message?.text == "read-only: :write 10m enables actions for 10 minutes")
        for key in ":write 1m" { _ = model.update(.key(.character(key)), now: now) }
        _ = model.update(.key(.enter), now: now)
        #expect(model.writeEnabled(now: now.addingTimeInterval(59)))
        #expect(!model.writeEnabled(now: now.addingTimeInterval(61)))
        _ = press([.character("x")], on: &model, at: now.addingTimeInterval(61))
        #expect(model.draft == nil, "write mode ended by itself")
    }

    @Test func aViewerIsRefusedWithTheRolesThatMay() {
        var model = writableAuctions(role: .viewer)
        _ = press([.character("x")], on: &model, at: now)
        #expect(model.draft == nil)
        #expect(model.message?.text == "refused: mia (viewer) may not cancel-auction: admin or moderator only")
    }

    @Test func readonlyKeepsEveryActionOff() {
        var model = DashboardModel(initialView: .auctions, identity: OperatorIdentity(name: "ada", role: .admin, readOnly: true))
        for key in ":write 10m" { _ = model.update(.key(.character(key)), now: now) }
        _ = model.update(.key(.enter), now: now)
        #expect(!model.writeEnabled(now: now))
        #expect(model.message?.text == "this console was started with --readonly: actions stay off")
    }

    @Test func theOutcomeShowsAndTheRowsRefresh() {
        var model = writableAuctions()
        let effects = model.update(.actionFinished(.cancelAuction(id: 42, version: 4),
                                                   .refused("auction 42 changed since you looked (now: top bid 2 TON by dave, 4 bids)")),
                                   now: now)
        #expect(effects == [.refreshNow])
        #expect(model.message?.text == "refused: auction 42 changed since you looked (now: top bid 2 TON by dave, 4 bids)")
        #expect(model.message?.role == .warning)
    }
}
