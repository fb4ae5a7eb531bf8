import Foundation
import MarketCore
import Views

/// Builds the frame (``DashboardState``) from the model and its fetched rows.
enum DashboardPresenter {
    static func columns(of source: PaneSource) -> [TableColumn] {
        switch source {
        case .auctions: AuctionsPane.columns
        case .proposals: ProposalsPane.columns
        case .transfers: TransfersPane.columns
        case .heldLocks: HeldLocksPane.columns
        case .lockWaits: LockWaitsPane.columns
        case .contention: ContentionPane.columns
        case .rates: RatesPane.columns
        case .audit: AuditPane.columns
        case .alerts: AlertsPane.columns
        case .approvals: ApprovalsPane.columns
        }
    }

    static func state(_ model: DashboardModel, now: Date, boxes: BoxCharacters) -> DashboardState {
        var state = DashboardState(now: now, tabs: ViewKind.allCases.map(\.title),
                                   activeTab: ViewKind.allCases.firstIndex(of: model.view) ?? 0,
                                   keyHints: model.keyMap.hints, boxes: boxes)
        state.status = StatusBarPresenter.items(model, now: now, boxes: boxes)
        state.panes = model.view.panes.enumerated().map { index, source in
            pane(source, in: model, focused: source == model.focusedSource,
                 now: now, boxes: boxes)
        }
        if model.showingCommandLog { state.panes.append(CommandLogPane.pane(model.commandLog)) }
        state.detail = detail(model)
        switch model.input {
        case .command(let text): state.input = InputLine(prompt: ":", text: text, completions: ViewKind.completions(for: text))
        case .filter(let text, _): state.input = InputLine(prompt: "/", text: text)
        case nil: break
        }
        if let message = model.message, message.until > now { state.message = StatusItem(message.text, role: message.role) }
        if let running = model.running {
            let frames = boxes == .unicode ? Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏") : Array("|/-\\")
            let elapsed = now.timeIntervalSince(running.since)
            state.message = StatusItem("\(frames[Int(elapsed * 10) % frames.count]) \(running.action.progressText)… "
                                       + String(format: "%.1fs", elapsed), role: .accent)
        }
        state.identity = identity(model, now: now)
        state.dialog = model.draft.map { $0.dialog(title: "Confirm \($0.action.operatorAction.rawValue) · \($0.action.auditTarget)") }
        if model.showingHelp {
            state.help = HelpOverlay(title: "Keys (\(model.view.title))", entries: model.keyMap.help + [
                .init(keys: ":name", description: "views: " + ViewKind.allCases.map(\.rawValue).joined(separator: " ")),
                .init(keys: ":refresh N", description: "refresh every N seconds"),
                .init(keys: ":write 10m", description: "enable your role's actions for 10 minutes (:write off ends it)"),
                .init(keys: "you", description: permissions(model.identity)),
            ])
        }
        return state
    }

    private static func pane(_ source: PaneSource, in model: DashboardModel, focused: Bool, now: Date,
                             boxes: BoxCharacters) -> Pane {
        let data = model.data
        let paneState = model.panes[source]!
        var rows: [TableRow]
        switch source {
        case .auctions:
            let before = Dictionary((model.previousData?.auctions?.rows ?? []).map { ($0.id, $0) }) { first, _ in first }
            rows = data?.auctions?.rows.map { AuctionsPane.row($0, now: now, previous: before[$0.id]) } ?? []
            rows += removed(data?.auctions?.rows, model.previousData?.auctions?.rows, model: model, now: now) {
                AuctionsPane.row($0, now: now)
            }
        case .proposals: rows = data?.proposals?.rows.map { ProposalsPane.row($0, now: now) } ?? []
        case .transfers:
            let before = Dictionary((model.previousData?.transfers?.rows ?? []).map { ($0.id, $0) }) { first, _ in first }
            rows = data?.transfers?.rows.map {
                TransfersPane.row($0, now: now, thresholds: model.thresholds, previous: before[$0.id])
            } ?? []
            rows += removed(data?.transfers?.rows, model.previousData?.transfers?.rows, model: model, now: now) {
                TransfersPane.row($0, now: now, thresholds: model.thresholds)
            }
        case .heldLocks:
            let before = Dictionary((model.previousData?.heldLocks?.rows ?? []).map { ($0.key, $0) }) { first, _ in first }
            rows = data?.heldLocks?.rows.map {
                HeldLocksPane.row($0, now: now, thresholds: model.thresholds, previous: before[$0.key])
            } ?? []
            rows += removed(data?.heldLocks?.rows, model.previousData?.heldLocks?.rows, model: model, now: now) {
                HeldLocksPane.row($0, now: now, thresholds: model.thresholds)
            }
        case .audit: rows = data?.audit?.rows.map { AuditPane.row($0, now: now) } ?? []
        case .lockWaits: rows = LockWaitsPane.rows(data?.lockWaits ?? [], now: now, boxes: boxes, thresholds: model.thresholds)
        case .contention: rows = ContentionPane.rows(data?.contention ?? [], windowSeconds: model.rateWindowSeconds)
        case .rates: rows = data?.rates.map { RatesPane.rows($0, windowSeconds: model.rateWindowSeconds) } ?? []
        case .alerts: rows = data?.alerts?.map(AlertsPane.row) ?? []
        case .approvals: rows = data?.approvals?.map { ApprovalsPane.row($0, now: now) } ?? []
        }
        for index in rows.indices {
            if let flash = model.flash(for: source, id: rows[index].id, now: now) { rows[index].role = flash }
        }
        let overview = model.view == .overview
        let table = Table(columns: columns(of: source), rows: rows,
                          selectedIndex: source.isSelectable && focused && !overview ? paneState.selectedIndex : nil,
                          sortKey: source.isPaged ? paneState.sort : nil, descending: paneState.descending,
                          emptyMessage: data == nil ? "loading…" : emptyMessage(source, filter: paneState.filter, redis: data!.redis))
        let weight = overview ? (source == .rates ? 2 : 1) : (source == .heldLocks ? 3 : source == .lockWaits ? 2 : 1)
        return Pane(title: title(source, overview: overview), summary: summary(source, model: model), table: table,
                    focused: focused, weight: weight,
                    maximumRows: overview ? max(3, rows.count) : source == .alerts && model.view != .alerts ? max(1, rows.count) : nil)
    }

    /// Rows of the previous refresh of this page that are gone now, shown struck for 1.5 s after
    /// the refresh so a vanishing row is seen to go.
    private static func removed<Row: Identifiable>(_ current: [Row]?, _ previous: [Row]?, model: DashboardModel, now: Date,
                                                   _ present: (Row) -> TableRow) -> [TableRow] {
        guard let current, let previous, let fetchedAt = model.data?.fetchedAt, now.timeIntervalSince(fetchedAt) < 1.5 else { return [] }
        let remaining = Set(current.map { "\($0.id)" })
        return previous.filter { !remaining.contains("\($0.id)") }.map { row in
            var shown = present(row)
            shown.id = "removed:" + shown.id
            shown.role = .removed
            return shown
        }
    }

    private static func title(_ source: PaneSource, overview: Bool) -> String {
        switch source {
        case .auctions: overview ? "Auctions ending soonest" : "Live auctions"
        case .proposals: overview ? "Oldest pending proposals" : "Pending trade proposals"
        case .transfers: overview ? "Oldest pending transfers" : "Pending channel transfers and withdrawals"
        case .heldLocks: overview ? "Oldest held locks" : "Held Redis locks"
        case .lockWaits: "PostgreSQL lock waits (blocker → blocked)"
        case .contention: "Lock contention per key prefix"
        case .rates: "Unit of Work outcomes per operation"
        case .audit: "Operator actions"
        case .alerts: "Stuck-lock alerts"
        case .approvals: "Actions waiting for a second operator (A approves, x rejects)"
        }
    }

    private static func summary(_ source: PaneSource, model: DashboardModel) -> String {
        let counts = model.data?.counts
        let state = model.panes[source]!
        var parts: [String] = []
        switch source {
        case .auctions: counts.map { parts.append("\(grouped($0.liveAuctions)) live") }
        case .proposals: counts.map { parts.append("\(grouped($0.pendingProposals)) pending") }
        case .transfers:
            counts.map { parts.append("\(grouped($0.pendingTransfers)) transfers · \(grouped($0.pendingWithdrawals)) withdrawals") }
            // What the reconciler settled on the gateways' evidence, shown while it is at work.
            if let settled = counts?.settledAutomatically, settled > 0 { parts.append("\(grouped(settled)) settled automatically in 1 min") }
        case .heldLocks:
            counts.map { parts.append("\(grouped($0.heldLocks)) held · mode \(model.data?.lockMode.label ?? "?")") }
            let refused = model.data?.contention?.reduce(Int64(0)) { $0 + $1.fenceRefused } ?? 0
            if refused > 0 { parts.append("\(grouped(Int(refused))) fences refused in \(model.rateWindowSeconds)s") }
            model.data?.lastRedisOutage.map { parts.append("last \($0.summary)") }
        case .lockWaits: counts.map { parts.append("\($0.lockWaits) waiting") }
        case .contention, .rates: parts.append("last \(model.rateWindowSeconds)s")
        case .audit: break
        case .alerts: parts.append("\(model.data?.alerts?.count ?? 0) open")
        case .approvals: parts.append("\(model.data?.approvals?.count ?? 0) waiting")
        }
        if source.isPaged && model.view != .overview {
            if !state.filter.isEmpty { parts.append("filter '\(state.filter)'") }
            parts.append("page \(state.page + 1)")
            // The rows below are still the last page's until this page's arrive.
            if let shown = model.data?.plan, shown.pages[source] != model.plan.pages[source] { parts.append("reading…") }
        }
        return parts.joined(separator: " · ")
    }

    private static func emptyMessage(_ source: PaneSource, filter: String, redis: ServerHealth) -> String {
        if !filter.isEmpty { return "no rows match '\(filter)' — Esc clears the filter" }
        if case .down = redis, let what = [PaneSource.heldLocks: "held locks", .alerts: "stuck-lock alerts", .contention: "lock statistics",
                                           .rates: "Unit of Work outcomes"][source] {
            return "Redis is down: no \(what) to read until it answers"
        }
        switch source {
        case .auctions: return "no live auctions"
        case .proposals: return "no pending proposals"
        case .transfers: return "nothing pending"
        case .heldLocks:
            // Shorter holds are never registered (LockService.registrationDelay).
            return "no Redis lock held for over \(Int(LockService.registrationDelay.milliseconds)) ms"
        case .lockWaits: return "no session waits for a lock"
        case .contention: return "no lock activity in the window"
        case .rates: return "no Unit of Work recorded in the window"
        case .audit: return "no operator actions yet"
        case .alerts: return "no stuck locks"
        case .approvals: return "nothing waits for approval"
        }
    }

    private static func detail(_ model: DashboardModel) -> Detail? {
        guard let (source, id) = model.detail else { return nil }
        if let data = model.data, let detail = detail(source, id: id, in: data) { return detail }
        // The row left the page since the detail opened (an auction ended, a transfer completed).
        guard let opened = model.detailOpenedWith, var detail = detail(source, id: id, in: opened) else {
            return Detail(title: "\(source.rawValue) \(id)", fields: [("Status", .text("no longer listed; Esc goes back", role: .warning))])
        }
        detail.fields.insert(("Status", .text("no longer on this page (ended, settled or moved): shown as it was when opened",
                                              role: .warning)), at: 0)
        return detail
    }

    private static func detail(_ source: PaneSource, id: String, in data: FetchResult) -> Detail? {
        switch source {
        case .auctions:
            return data.auctions?.rows.first { String($0.id) == id }.map { auction in
                AuctionsPane.detail(auction, bids: data.plan.bidsOfAuction == auction.id ? data.bids : nil)
            }
        case .proposals: return data.proposals?.rows.first { String($0.id) == id }.map(ProposalsPane.detail)
        case .transfers: return data.transfers?.rows.first { $0.id == id }.map(TransfersPane.detail)
        case .heldLocks: return data.heldLocks?.rows.first { $0.key == id }.map(HeldLocksPane.detail)
        case .audit: return data.audit?.rows.first { String($0.id) == id }.map(AuditPane.detail)
        case .approvals: return data.approvals?.first { String($0.id) == id }.map(ApprovalsPane.detail)
        case .lockWaits, .contention, .rates, .alerts: return nil
        }
    }

    /// Which actions the operator's role allows, for the help: the rest are refused.
    private static func permissions(_ identity: OperatorIdentity) -> String {
        if identity.readOnly { return "\(identity.name): --readonly, no action" }
        let allowed = OperatorAction.allCases.filter { $0.allowedRoles.contains(identity.role) && $0 != .manageOperators }
        guard !allowed.isEmpty else { return "\(identity.name) (\(identity.role.rawValue)) may look, not act" }
        return "\(identity.name) (\(identity.role.rawValue)) may " + allowed.map(\.rawValue).joined(separator: ", ")
    }

    /// "ann · moderator · read-only", or "· WRITE 9m12s" while `:write` lasts.
    private static func identity(_ model: DashboardModel, now: Date) -> String {
        let who = "\(model.identity.name) · \(model.identity.role.rawValue)"
            + (model.identity.isSuperuser ? " · SUPERUSER: can act as anyone, cannot approve" : "")
        if model.identity.readOnly { return who + " · --readonly" }
        if model.writeEnabled(now: now), let until = model.writeUntil {
            return who + " · WRITE " + CellValue.compactDuration(until.timeIntervalSince(now))
        }
        return who + " · read-only"
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (value < 0 ? "-" : "") + result
    }
}
