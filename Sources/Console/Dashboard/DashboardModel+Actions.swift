import Foundation
import MarketCore
import Views

/// Operator actions: write mode, and opening a confirmation dialog for the selected row.
extension DashboardModel {
    /// Whether actions are on now (`:write` not yet expired, and not `--readonly`).
    func writeEnabled(now: Date) -> Bool {
        !identity.readOnly && (writeUntil.map { $0 > now } ?? false)
    }

    /// Whether the refresh should hold still: paused, a dialog open, or the cursor just moved.
    func refreshHeld(now: Date) -> Bool {
        paused || draft != nil || (holdUntil.map { $0 > now } ?? false)
    }

    mutating func setWriteMode(_ argument: String?, now: Date) {
        if identity.readOnly {
            say("this console was started with --readonly: actions stay off", role: .warning, now: now)
            return
        }
        if argument == "off" {
            writeUntil = nil
            say("read-only again", role: .good, now: now)
            return
        }
        guard let seconds = argument.flatMap(Self.parseDuration), seconds > 0, seconds <= Self.longestWrite else {
            say(":write needs a duration up to 60m, e.g. :write 10m (or :write off)", role: .warning, now: now)
            return
        }
        writeUntil = now.addingTimeInterval(seconds)
        say("actions enabled for \(CellValue.compactDuration(seconds)) as \(identity.role.rawValue); :write off ends it",
            role: .warning, now: now)
    }

    /// "90s", "10m", "1h", "45" (seconds) → seconds.
    static func parseDuration(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600]
        let seconds = text.last.flatMap { units[$0] }.flatMap { unit in Double(text.dropLast()).map { $0 * unit } } ?? Double(text)
        return seconds.flatMap { $0.isFinite ? $0 : nil }
    }

    mutating func openDraft(_ key: ActionKey, now: Date) -> [DashboardEffect] {
        guard running == nil else {
            say("\(running!.action.progressText) is still running", role: .warning, now: now)
            return []
        }
        guard view != .overview, focusedSource.isSelectable, let data, let id = detail?.id ?? selectedID(of: focusedSource) else {
            say("select a row in its view first (:auctions, :proposals, :transfers, :approvals, :locks)", role: .warning, now: now)
            return []
        }
        // After a new filter, sort or page the rows on screen are the old page's until the new one
        // arrives: an action must not open on a row the operator no longer means.
        guard data.plan.view == view, data.plan.pages[focusedSource] == plan.pages[focusedSource] else {
            say("reading the rows of this page: try again when they show", role: .warning, now: now)
            return []
        }
        switch ActionPlanner.draft(key, source: focusedSource, id: id, in: data, now: now) {
        case .failure(let problem):
            say(problem.message, role: .warning, now: now)
        case .success(let planned):
            let action = planned.action.operatorAction
            if identity.readOnly {
                say("this console was started with --readonly: \(action.rawValue) is off", role: .warning, now: now)
            } else if !action.allowedRoles.contains(identity.role) {
                let allowed = action.allowedRoles.map(\.rawValue).sorted().joined(separator: " or ")
                say("refused: \(identity.name) (\(identity.role.rawValue)) may not \(action.rawValue): \(allowed) only",
                    role: .critical, now: now)
            } else if !writeEnabled(now: now) {
                say("read-only: :write 10m enables actions for 10 minutes", role: .warning, now: now)
            } else {
                draft = planned
                return [.plan(planned.action)]
            }
        }
        return []
    }
}
