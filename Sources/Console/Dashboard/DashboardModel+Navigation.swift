import Foundation
import MarketCore
import Views

/// Moving around: views, panes, the detail screen, the cursor, pages and sorting.
extension DashboardModel {
    mutating func back() {
        if detail != nil {
            detail = nil
        } else if !panes[focusedSource]!.filter.isEmpty {
            panes[focusedSource]!.filter = ""
            resetPages(focusedSource)
        } else if view != .overview {
            switchView(to: .overview)
        }
    }

    mutating func switchView(to target: ViewKind) {
        detail = nil
        view = target
        data = data.flatMap { $0.plan == plan ? $0 : nil }
    }

    mutating func open(now: Date) {
        if view == .overview {
            // Enter on an overview section opens that section's own view.
            switchView(to: ViewKind.allCases.first { $0 != .overview && $0.panes.first == focusedSource } ?? .overview)
            return
        }
        guard focusedSource.isSelectable, let id = selectedID(of: focusedSource) else {
            say("nothing to open here", role: .dim, now: now)
            return
        }
        detail = (focusedSource, id)
        detailOpenedWith = data
    }

    func selectedID(of source: PaneSource) -> String? {
        guard let prints = data?.fingerprints(of: source) else { return nil }
        let index = panes[source]!.selectedIndex
        return prints.indices.contains(index) ? prints[index].id : nil
    }

    mutating func moveSelection(by delta: Int, now: Date) {
        holdUntil = now.addingTimeInterval(Self.holdAfterMove)
        let source = focusedSource
        let count = data?.rowCount(of: source) ?? 0
        let target = panes[source]!.selectedIndex + delta
        if target >= count, source.isPaged, view != .overview, let next = data?.nextCursor(of: source) {
            panes[source]!.pageStarts.append(next)
            panes[source]!.page += 1
            panes[source]!.selectedIndex = 0
            panes[source]!.selectedID = nil
        } else if target < 0, !panes[source]!.pageStarts.isEmpty {
            panes[source]!.pageStarts.removeLast()
            panes[source]!.page -= 1
            panes[source]!.selectedIndex = pageSize - 1
            panes[source]!.selectedID = nil
        } else {
            select(index: target)
        }
    }

    mutating func turnPage(forward: Bool) {
        let source = focusedSource
        if forward, source.isPaged, view != .overview, let next = data?.nextCursor(of: source) {
            panes[source]!.pageStarts.append(next)
            panes[source]!.page += 1
            panes[source]!.selectedIndex = 0
            panes[source]!.selectedID = nil
        } else if !forward, !panes[source]!.pageStarts.isEmpty {
            panes[source]!.pageStarts.removeLast()
            panes[source]!.page -= 1
            panes[source]!.selectedIndex = 0
            panes[source]!.selectedID = nil
        } else {
            select(index: forward ? (data?.rowCount(of: source) ?? 1) - 1 : 0)
        }
    }

    mutating func firstPage() {
        resetPages(focusedSource)
    }

    mutating func select(index: Int) {
        let source = focusedSource
        let count = data?.rowCount(of: source) ?? 0
        panes[source]!.selectedIndex = max(0, min(index, count - 1))
        panes[source]!.selectedID = selectedID(of: source)
    }

    mutating func resetPages(_ source: PaneSource) {
        panes[source]!.pageStarts = []
        panes[source]!.page = 0
        panes[source]!.selectedIndex = 0
        panes[source]!.selectedID = nil
    }

    mutating func sort(byColumn number: Int, now: Date) {
        let source = focusedSource
        guard source.isPaged, detail == nil else {
            say("this pane has a fixed order", role: .dim, now: now)
            return
        }
        let columns = DashboardPresenter.columns(of: source)
        guard columns.indices.contains(number - 1), let key = columns[number - 1].sortKey else {
            let sortable = columns.enumerated().compactMap { $1.sortKey == nil ? nil : "\($0 + 1) \($1.title)" }
            say("column \(number) cannot be sorted; sortable: \(sortable.joined(separator: ", "))", role: .warning, now: now)
            return
        }
        if panes[source]!.sort == key {
            panes[source]!.descending.toggle()
        } else {
            panes[source]!.sort = key
            panes[source]!.descending = false
        }
        resetPages(source)
    }
}
