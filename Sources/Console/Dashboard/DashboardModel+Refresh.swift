import Foundation
import MarketCore
import Views

/// Refreshed rows: merged into what is shown, flashing what changed, keeping the cursor on its row.
extension DashboardModel {
    /// Shows `result` as it is, with its plan's view, sorts and filters (the headless snapshot).
    mutating func show(_ result: FetchResult) {
        view = result.plan.view
        for (source, request) in result.plan.pages {
            panes[source]!.sort = request.sort
            panes[source]!.descending = request.descending
            panes[source]!.filter = request.filter
        }
        data = result
    }

    mutating func accept(_ result: FetchResult, now: Date) {
        guard result.plan == plan else { return }
        var merged = data.map { result.keepingRows(of: $0) } ?? result
        // A pane whose read failed shows the rows of an earlier refresh: the status bar's
        // "data Ns old" is their age, not this refresh's, so it grows while a server is down.
        if let data, !view.panes.allSatisfy(result.hasRows) { merged.fetchedAt = min(merged.fetchedAt, data.fetchedAt) }
        previousData = data?.plan == result.plan ? data : nil
        if let problem = result.problem { say(problem, role: .critical, now: now) }
        if let role = result.operatorRole { identity.role = role }
        flashChanges(merged, now: now)
        data = merged
        keepSelection()
    }

    /// Marks rows that appeared or changed since the last refresh of the same page for 1.5 s.
    mutating func flashChanges(_ result: FetchResult, now: Date) {
        let until = now.addingTimeInterval(1.5)
        flashes = flashes.filter { $0.value.until > now }
        for source in view.panes {
            guard let rows = result.fingerprints(of: source) else { continue }
            let current = Dictionary(rows.map { ($0.id, $0.fingerprint) }, uniquingKeysWith: { first, _ in first })
            if fingerprintPlan == result.plan, let previous = fingerprints[source] {
                for (id, print) in current {
                    if previous[id] == nil {
                        flashes["\(source.rawValue):\(id)"] = (.added, until)
                    } else if previous[id] != print {
                        flashes["\(source.rawValue):\(id)"] = (.changed, until)
                    }
                }
            }
            fingerprints[source] = current
        }
        fingerprintPlan = result.plan
    }

    /// Keeps the cursor on the same row (by id) when rows move under it.
    mutating func keepSelection() {
        for source in view.panes {
            guard let rows = data?.fingerprints(of: source) else { continue }
            if let id = panes[source]!.selectedID, let index = rows.firstIndex(where: { $0.id == id }) {
                panes[source]!.selectedIndex = index
            } else {
                panes[source]!.selectedIndex = max(0, min(panes[source]!.selectedIndex, rows.count - 1))
                panes[source]!.selectedID = rows.indices.contains(panes[source]!.selectedIndex)
                    ? rows[panes[source]!.selectedIndex].id : nil
            }
        }
    }

    /// The flash role of a row right now: `.added` or `.changed` for 1.5 s after a refresh showed it so.
    func flash(for source: PaneSource, id: String, now: Date) -> StyleRole? {
        guard let flash = flashes["\(source.rawValue):\(id)"], flash.until > now else { return nil }
        return flash.role
    }
}
