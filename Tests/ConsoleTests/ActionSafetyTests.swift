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

    /// The plan of the auction-42 cancel as the core gives it: lock, rows in order, the top bid back to bob.
    static let cancelPlan = ActionPlan(
        request: .cancelAuction(id: 42, version: 4), lockKey: "auction:bid:42", takesOverLock: false,
        rows: [.init(table: "auctions", id: 42, lockMode: "UPDATE", role: "the auction"),
               .init(table: "nfts", id: 420, lockMode: "UPDATE", role: "its NFT"),
               .init(table: "users", id: 8, lockMode: "NO KEY UPDATE", role: "the top bidder")],
        movements: [.init(amount: 1_500_000_000, to: "bob (user 8)", from: "held for their top bid")], requiredVersion: 4,
        needsSecondOperator: false)

    /// The core's plan of the open dialog's action arrives, its probe finding nothing in the way.
    func planArrives(_ model: inout DashboardModel, at time: Date) {
        guard let action = model.draft?.action else { return }
        var plan = Self.cancelPlan
        plan.request = action
        let report = PreflightReport(lockKey: plan.lockKey, lockHolder: nil,
                                     rows: plan.rows.map { PreflightReport.RowProbe(row: $0, free: true, holder: nil) })
        _ = model.update(.planned(action, PlannedAction(plan: plan, report: report, now: time)), now: time)
    }

    @Test func theDialogOpensWithCancelFocusedAndEnterCancels() {
        var model = writableAuctions()
        // Opening the dialog asks the core for the action's plan.
        #expect(press([.character("x")], on: &model, at: now) == [.plan(.cancelAuction(id: 42, version: 4))])
        let draft = try! #require(model.draft)
        #expect(draft.focus == .cancel)
        #expect(draft.action == .cancelAuction(id: 42, version: 4))
        #expect(draft.effects.first == "Cancel auction 42: Plush Pepe #12 (nft 420), seller alice, top bid 1.5 TON by bob.")
        #expect(draft.planned == nil)
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
        #expect(press([.enter], on: &model, at: later.addingTimeInterval(1)) == [], "nothing runs before its plan is shown")
        #expect(model.draft?.problem == "wait for the plan: what it locks and moves is not shown yet")
        planArrives(&model, at: later.addingTimeInterval(1))
        _ = press([.tab, .tab, .tab], on: &model, at: later.addingTimeInterval(1))
        #expect(model.draft?.focus == .confirm)
        let effects = press([.enter], on: &model, at: later.addingTimeInterval(2))
        #expect(effects == [.runAction(.cancelAuction(id: 42, version: 4), reason: "stolen gift")])
        #expect(model.running?.action == .cancelAuction(id: 42, version: 4))

        // The outcome lands in the command log with the lock and the statements the core ran, and how long it took.
        let ran = [
            ExecutedStep(kind: .lock, text: "lock auction:bid:42 (redis, fence 9)", unitOfWork: nil, duration: .milliseconds(2), failure: nil),
            ExecutedStep(kind: .statements, text: "BEGIN; SELECT mc_op_cancel_auction($1, $2, $3, $4)", unitOfWork: "auction.cancel",
                         duration: .microseconds(3_100), failure: nil),
            ExecutedStep(kind: .commit, text: "SELECT mc_check_fence($1, $2); COMMIT", unitOfWork: "auction.cancel",
                         duration: .microseconds(800), failure: nil),
        ]
        _ = model.update(.actionFinished(.cancelAuction(id: 42, version: 4), .done("auction 42 cancelled"), ran: ran),
                         now: later.addingTimeInterval(2.25))
        let entry = try! #require(model.commandLog.first)
        #expect(entry.lock == "lock auction:bid:42 (redis, fence 9)")
        #expect(entry.statements == "SELECT mc_op_cancel_auction($1, $2, $3, $4) 3.1 ms · COMMIT 0.8 ms")
        #expect(entry.outcome == .done("auction 42 cancelled"))
        #expect(abs(entry.duration - 0.25) < 0.001)
    }

    /// The dialog shows the core's plan — lock, rows in order, money — and names the session
    /// holding a row of it: here the top bidder's row, held by a support tool's open transaction.
    @Test func theDialogShowsThePlanAndNamesWhoHoldsTheBiddersRow() {
        var model = writableAuctions()
        _ = press([.character("x")], on: &model, at: now)
        let plan = Self.cancelPlan
        let holder = RowHolder(pid: 31337, login: "support", application: "psql", state: "idle in transaction",
                               transactionStart: now.addingTimeInterval(-35), query: "SELECT * FROM users WHERE id = 8 FOR UPDATE")
        let report = PreflightReport(lockKey: plan.lockKey, lockHolder: nil, rows: [
            .init(row: plan.rows[0], free: true, holder: nil), .init(row: plan.rows[1], free: true, holder: nil),
            .init(row: plan.rows[2], free: false, holder: holder),
        ])
        _ = model.update(.planned(.cancelAuction(id: 42, version: 4), PlannedAction(plan: plan, report: report, now: now)), now: now)
        let lines = try! #require(model.draft?.dialog(title: "t").lines)
        #expect(lines.contains("Lock auction:bid:42, then rows locked in this order:"))
        #expect(lines.contains("  3. users 8: the top bidder (FOR NO KEY UPDATE)"))
        #expect(lines.contains("Moves 1.5 TON to bob (user 8), from held for their top bid."))
        #expect(lines.contains("Runs only at version 4, as you saw it; refused if it changed since."))
        #expect(lines.contains("Now: lock auction:bid:42 is free"))
        #expect(lines.contains("Now: users 8 (the top bidder) is held by pid 31337 (login support, psql, idle in transaction for 35 s): "
                               + "SELECT * FROM users WHERE id = 8 FOR UPDATE"))
        #expect(model.draft?.planned?.clear == false)
    }

    /// Rows alike share a line: a proposal offering many NFTs still fits the dialog.
    @Test func rowsAlikeShareALine() {
        var plan = Self.cancelPlan
        plan.rows = [.init(table: "trades", id: 77, lockMode: "UPDATE", role: "its trade"),
                     .init(table: "trade_proposals", id: 501, lockMode: "UPDATE", role: "the proposal")]
            + (30...33).map { .init(table: "nfts", id: $0, lockMode: "UPDATE", role: "an offered NFT") }
        #expect(Array(PlannedAction.lines(of: plan).prefix(4)) == [
            "Lock auction:bid:42, then rows locked in this order:",
            "  1. trades 77: its trade (FOR UPDATE)",
            "  2. trade_proposals 501: the proposal (FOR UPDATE)",
            "  3–6. nfts 30, 31, 32, 33: an offered NFT each (FOR UPDATE)",
        ])
    }

    /// Right after a new filter the rows on screen are the old page's: no dialog opens on them,
    /// and the pane says it is reading; once the filtered page arrives, the key works.
    @Test func noDialogOpensOnAPageStillBeingRead() {
        var model = writableAuctions()
        _ = press([.character("/")] + "bob".map { .character($0) } + [.enter], on: &model, at: now)
        #expect(model.panes[.auctions]?.filter == "bob")
        #expect(press([.character("x")], on: &model, at: now) == [])
        #expect(model.draft == nil)
        #expect(model.message?.text == "reading the rows of this page: try again when they show")
        #expect(DashboardPresenter.state(model, now: now, boxes: .unicode).panes.first?.summary.hasSuffix("reading…") == true)
        _ = model.update(.fetched(DashboardFixture.result(for: model.plan)), now: now)
        #expect(DashboardPresenter.state(model, now: now, boxes: .unicode).panes.first?.summary.hasSuffix("reading…") == false)
        #expect(press([.character("x")], on: &model, at: now) == [.plan(.cancelAuction(id: 42, version: 4))])
    }

    /// A plan for another dialog (one closed since) does not land in the open one.
    @Test func aPlanForAnotherActionIsIgnored() {
        var model = writableAuctions()
        _ = press([.character("x")], on: &model, at: now)
        var other = Self.cancelPlan
        other.request = .cancelAuction(id: 43, version: 1)
        _ = model.update(.planned(other.request, PlannedAction(plan: other, lines: [], clear: true)), now: now)
        #expect(model.draft?.planned == nil)
    }

    @Test func aReasonIsRequired() {
        var model = writableAuctions()
        _ = press([.character("x")], on: &model, at: now)
        planArrives(&model, at: now)
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
        planArrives(&model, at: now)
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
                                                   .refused("auction 42 changed since you looked (now: top bid 2 TON by dave, 4 bids)"), ran: []),
                                   now: now)
        #expect(effects == [.refreshNow])
        #expect(model.message?.text == "refused: auction 42 changed since you looked (now: top bid 2 TON by dave, 4 bids)")
        #expect(model.message?.role == .warning)
    }
}
