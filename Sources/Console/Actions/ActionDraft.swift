import Foundation
import MarketCore
import Views

/// The confirmation dialog of one action: what will run, the reason being typed, and which
/// control has the focus. Built so a slip cannot confirm:
///
/// - the focus starts on Cancel, and Enter in a text field moves to Cancel, never to Confirm;
/// - confirming takes moving to Confirm (Tab or →) and Enter — never the key that opened the dialog;
/// - keys arriving in the first ``settleTime`` after the dialog opened (a held, auto-repeating key)
///   are dropped, and so is an Enter right after the focus reached Confirm;
/// - money-moving actions also need the entity id typed in.
struct ActionDraft: Equatable {
    enum Control: Equatable, CaseIterable {
        case reason, txHash, typedID, cancel, confirm
    }

    /// What the dialog answers to a key.
    enum Decision: Equatable {
        case keepOpen
        case cancel
        case confirm(OperatorActionRequest, reason: String)
    }

    /// How long after opening (or after reaching Confirm) keys are ignored.
    static let settleTime: TimeInterval = 0.4

    let action: OperatorActionRequest
    /// The action and the row as the operator saw it.
    let effects: [String]
    /// The core's plan and its preflight (nil until they arrive): the lock, the rows, the money,
    /// and who holds any of them now.
    var planned: PlannedAction?
    let openedAt: Date
    var reason = ""
    var txHash = ""
    var typedID = ""
    private(set) var focus: Control = .cancel
    private(set) var focusMovedAt: Date
    /// Why the last Enter on Confirm did not confirm.
    private(set) var problem: String?

    init(action: OperatorActionRequest, effects: [String], openedAt: Date) {
        self.action = action
        self.effects = effects
        self.openedAt = openedAt
        focusMovedAt = openedAt
    }

    /// The controls in Tab order for this action.
    var controls: [Control] {
        var controls: [Control] = [.reason]
        if case .resolveWithdrawalSent = action { controls.append(.txHash) }
        if action.movesMoney { controls.append(.typedID) }
        return controls + [.cancel, .confirm]
    }

    mutating func handle(_ key: Key, now: Date) -> Decision {
        guard now.timeIntervalSince(openedAt) >= Self.settleTime else { return .keepOpen }
        switch key {
        case .escape:
            return .cancel
        case .tab, .right, .down:
            move(by: 1, now: now)
        case .backTab, .left, .up:
            move(by: -1, now: now)
        case .enter:
            switch focus {
            case .cancel: return .cancel
            case .confirm: return confirm(now: now)
            case .reason, .txHash, .typedID: focus(.cancel, now: now)
            }
        case .backspace, .delete:
            edit { if !$0.isEmpty { $0.removeLast() } }
        case .character(let character):
            // Typing on a button starts the reason: the operator can just type.
            if focus == .cancel || focus == .confirm { focus(.reason, now: now) }
            edit { $0.append(character) }
        default:
            break
        }
        return .keepOpen
    }

    private mutating func confirm(now: Date) -> Decision {
        guard now.timeIntervalSince(focusMovedAt) >= Self.settleTime else { return .keepOpen }
        guard planned?.plan != nil else {
            problem = planned == nil ? "wait for the plan: what it locks and moves is not shown yet"
                                     : "the plan could not be read, so nothing can be confirmed: Esc, then look again"
            return .keepOpen
        }
        let reason = reason.trimmingCharacters(in: .whitespaces)
        guard !reason.isEmpty else {
            problem = "type a reason first: it goes into the audit log"
            return .keepOpen
        }
        if action.movesMoney && typedID != action.confirmationID {
            problem = "type \(action.confirmationID) in the id field to confirm: this moves money"
            return .keepOpen
        }
        var final = action
        if case .resolveWithdrawalSent(let id, let version, _) = action {
            let hash = txHash.trimmingCharacters(in: .whitespaces)
            guard !hash.isEmpty else {
                problem = "type the transaction hash the payout was sent with"
                return .keepOpen
            }
            final = .resolveWithdrawalSent(id: id, version: version, txHash: hash)
        }
        return .confirm(final, reason: reason)
    }

    private mutating func move(by step: Int, now: Date) {
        let controls = controls
        let index = controls.firstIndex(of: focus) ?? 0
        focus(controls[(index + step + controls.count) % controls.count], now: now)
    }

    private mutating func focus(_ control: Control, now: Date) {
        focus = control
        focusMovedAt = now
        problem = nil
    }

    private mutating func edit(_ change: (inout String) -> Void) {
        switch focus {
        case .reason: change(&reason)
        case .txHash: change(&txHash)
        case .typedID: change(&typedID)
        case .cancel, .confirm: break
        }
    }

    /// The dialog as Views draws it.
    func dialog(title: String) -> Dialog {
        var fields = [Dialog.Field(label: "Reason", text: reason, focused: focus == .reason, placeholder: "why (kept in the audit log)")]
        if controls.contains(.txHash) {
            fields.append(.init(label: "Tx hash", text: txHash, focused: focus == .txHash, placeholder: "hash of the payout"))
        }
        if controls.contains(.typedID) {
            fields.append(.init(label: "Type \(action.confirmationID)", text: typedID, focused: focus == .typedID,
                                placeholder: "the id, to confirm"))
        }
        let plan = planned?.lines ?? ["Plan: asking the core what this locks and moves, and probing it…"]
        return Dialog(title: title, lines: effects + plan, fields: fields,
                      buttons: [.init(label: "Cancel", focused: focus == .cancel, role: .normal),
                                .init(label: "Confirm", focused: focus == .confirm, role: .critical)],
                      problem: problem, footer: "Tab/→ next · Enter on the focused button · Esc cancels")
    }
}
