import Foundation
import MarketCore
import Views

/// Something that happened: a key, a refresh's rows, the terminal's new size.
enum DashboardEvent: Sendable {
    case key(Key)
    case fetched(FetchResult)
    case resized(width: Int, height: Int)
    /// An operator action the app ran came back, with the locks and statements it ran.
    case actionFinished(OperatorActionRequest, ActionOutcome, ran: [ExecutedStep])
    /// The core's plan of the open dialog's action came back, probed.
    case planned(OperatorActionRequest, PlannedAction)
}

/// What the update step asks the app to do.
enum DashboardEffect: Equatable, Sendable {
    /// Refresh now instead of at the next tick (the plan changed, or the operator asked).
    case refreshNow
    case quit
    /// Forget the terminal's contents and draw everything again.
    case redraw
    /// Run a confirmed operator action off the UI thread.
    case runAction(OperatorActionRequest, reason: String)
    /// Ask the core for the plan of the dialog just opened, and probe it.
    case plan(OperatorActionRequest)
}

/// Who is at the keyboard: the login PostgreSQL authenticated, as the core reads it.
struct OperatorIdentity: Equatable, Sendable {
    var name: String
    /// The role the login's database groups give it; a login in none is a viewer.
    var role: OperatorRole = .viewer
    /// A superuser session, which can take any identity: the title bar says so.
    var isSuperuser = false
    /// `--readonly`: no action at all, whatever the role.
    var readOnly = false
}

/// The dashboard's state and its update step `(state, event) → effects`: no terminal, no servers,
/// no clock of its own (time comes in with each event), so tests drive it key by key.
struct DashboardModel {
    /// Per pane: how it is sorted and filtered, which page it shows and where the cursor is.
    struct PaneState: Equatable {
        var sort: String
        var descending: Bool
        var filter = ""
        /// The cursors that start the pages before the current one (empty on the first page).
        var pageStarts: [PageCursor?] = []
        var page = 0
        var selectedIndex = 0
        var selectedID: String?
    }

    /// The line being typed.
    enum Input: Equatable {
        case command(String)
        /// The filter being typed and the filter to restore on Esc.
        case filter(String, previous: String)
    }

    let keyMap: KeyMap
    let thresholds: Thresholds
    var view: ViewKind = .overview
    var focusedPane: [ViewKind: Int] = [:]
    var panes: [PaneSource: PaneState]
    /// The row whose detail screen is open.
    var detail: (source: PaneSource, id: String)?
    /// The rows as they were when the detail opened: shown when its row has left the page since.
    private(set) var detailOpenedWith: FetchResult?
    var input: Input?
    var showingHelp = false
    var paused = false
    var refreshInterval: Duration
    static let minimumRefresh = Duration.milliseconds(250)
    static let maximumRefresh = Duration.seconds(60)
    private(set) var message: (text: String, role: StyleRole, until: Date)?
    var identity: OperatorIdentity
    /// Until when actions are enabled (`:write 10m`); the console starts read-only.
    private(set) var writeUntil: Date?
    static let longestWrite: TimeInterval = 3600
    /// The confirmation dialog being filled in.
    private(set) var draft: ActionDraft?
    /// The action running now and since when (the spinner).
    private(set) var running: (action: OperatorActionRequest, since: Date)?
    /// What the console ran on the operator's behalf, newest first (the `L` pane).
    private(set) var commandLog: [CommandLogEntry] = []
    var showingCommandLog = false
    /// Moving the cursor holds the refresh still until then, so rows do not jump under it.
    private(set) var holdUntil: Date?
    static let holdAfterMove: TimeInterval = 2
    var size = (width: 80, height: 24)
    /// The newest refresh for the current plan.
    private(set) var data: FetchResult?
    /// The refresh before it, when it was for the same plan: what rows changed from or left.
    private(set) var previousData: FetchResult?
    /// Rows that appeared or changed recently: id → role and until when.
    private(set) var flashes: [String: (role: StyleRole, until: Date)] = [:]
    private var fingerprints: [PaneSource: [String: String]] = [:]
    /// The plan the fingerprints were taken for: rows of another page or sort are not "new".
    private var fingerprintPlan: FetchPlan?
    let rateWindowSeconds = 60

    init(keyMap: KeyMap = .standard, thresholds: Thresholds = Thresholds(), refreshInterval: Duration = .seconds(1),
         initialView: ViewKind = .overview, identity: OperatorIdentity = OperatorIdentity(name: "nobody")) {
        self.keyMap = keyMap
        self.thresholds = thresholds
        self.identity = identity
        self.refreshInterval = refreshInterval
        view = initialView
        panes = Dictionary(uniqueKeysWithValues: PaneSource.allCases.map { source in
            (source, PaneState(sort: source.defaultSort.key, descending: source.defaultSort.descending))
        })
    }

    // MARK: What to fetch

    /// The rows a table may show at the current terminal size: a page is never longer.
    var pageSize: Int { max(5, size.height - 6) }

    var plan: FetchPlan {
        var pages: [PaneSource: PageRequest] = [:]
        if view != .overview {
            for source in view.panes where source.isPaged {
                let state = panes[source]!
                pages[source] = PageRequest(sort: state.sort, descending: state.descending, filter: state.filter,
                                            limit: pageSize, after: state.pageStarts.last ?? nil)
            }
        }
        let bids = detail.flatMap { $0.source == .auctions ? Int64($0.id) : nil }
        return FetchPlan(view: view, pages: pages, overviewRows: max(2, (size.height - 16) / 5), bidsOfAuction: bids,
                         rateWindowSeconds: rateWindowSeconds)
    }

    var focusedSource: PaneSource {
        let sources = view.panes
        return sources[min(focusedPane[view] ?? view.defaultPane, sources.count - 1)]
    }

    // MARK: Update

    /// Applies `event` at `now`; returns what the app must do.
    mutating func update(_ event: DashboardEvent, now: Date) -> [DashboardEffect] {
        switch event {
        case .resized(let width, let height):
            let before = plan
            size = (width, height)
            return plan == before ? [.redraw] : [.redraw, .refreshNow]
        case .fetched(let result):
            accept(result, now: now)
            return []
        case .planned(let action, let planned):
            if draft?.action == action { draft?.planned = planned }
            return []
        case .actionFinished(let action, let outcome, let ran):
            if let running {
                commandLog.insert(CommandLogEntry(at: running.since, action: action, outcome: outcome, ran: ran,
                                                  duration: now.timeIntervalSince(running.since)), at: 0)
                commandLog = Array(commandLog.prefix(100))
            }
            running = nil
            let role: StyleRole = switch outcome {
            case .done: .good
            case .refused: .warning
            case .forbidden, .unavailable: .critical
            }
            say("\(outcome.label): \(outcome.message)", role: role, now: now, seconds: 10)
            return [.refreshNow]
        case .key(let key):
            let before = plan
            var effects = handle(key, now: now)
            if plan != before && !effects.contains(.refreshNow) { effects.append(.refreshNow) }
            return effects
        }
    }

    private mutating func handle(_ key: Key, now: Date) -> [DashboardEffect] {
        if message?.until == .distantFuture { message = nil }
        // Typed text (a reason, a filter, a command) takes any Unicode but no control or invisible
        // character: a reason goes into the audit log and onto other operators' screens.
        if draft != nil || input != nil, case .character(let character) = key,
           character.unicodeScalars.contains(where: TerminalText.needsEscape) {
            say("\(TerminalText.sanitized(String(character))) refused: typed text takes no control or invisible character",
                role: .warning, now: now)
            return []
        }
        if var open = draft {
            switch open.handle(key, now: now) {
            case .keepOpen:
                draft = open
                return []
            case .cancel:
                draft = nil
                say("cancelled: nothing ran", role: .dim, now: now)
                return []
            case .confirm(let action, let reason):
                draft = nil
                running = (action, now)
                return [.runAction(action, reason: reason)]
            }
        }
        if input != nil { return edit(key, now: now) }
        if showingHelp {
            if key == .escape || key == .character("?") || key == .character("q") { showingHelp = false }
            return []
        }
        guard let command = keyMap.command(for: key) else {
            if key != .resize { say("\(KeyMap.name(key)) does nothing here: ? lists the keys", role: .dim, now: now) }
            return []
        }
        return run(command, now: now)
    }

    private mutating func run(_ command: DashboardCommand, now: Date) -> [DashboardEffect] {
        switch command {
        case .quit: return [.quit]
        case .help: showingHelp = true
        case .redraw: return [.redraw]
        case .commandLine: input = .command("")
        case .filter:
            guard focusedSource.isPaged, detail == nil else {
                say("this pane cannot be filtered", role: .warning, now: now)
                return []
            }
            input = .filter(panes[focusedSource]!.filter, previous: panes[focusedSource]!.filter)
        case .back: back()
        case .moveDown: moveSelection(by: 1, now: now)
        case .moveUp: moveSelection(by: -1, now: now)
        case .pageDown: turnPage(forward: true)
        case .pageUp: turnPage(forward: false)
        case .top: firstPage()
        case .bottom: select(index: (data?.rowCount(of: focusedSource) ?? 1) - 1)
        case .open: open(now: now)
        case .nextView: switchView(to: ViewKind.allCases[(ViewKind.allCases.firstIndex(of: view)! + 1) % ViewKind.allCases.count])
        case .previousView:
            let index = ViewKind.allCases.firstIndex(of: view)!
            switchView(to: ViewKind.allCases[(index + ViewKind.allCases.count - 1) % ViewKind.allCases.count])
        case .nextPane: focusedPane[view] = ((focusedPane[view] ?? view.defaultPane) + 1) % view.panes.count
        case .sortByColumn(let number): sort(byColumn: number, now: now)
        case .reverseSort:
            guard focusedSource.isPaged else { return [] }
            panes[focusedSource]!.descending.toggle()
            resetPages(focusedSource)
        case .togglePause:
            paused.toggle()
            say(paused ? "refresh paused: Space resumes" : "refresh resumed", role: paused ? .warning : .good, now: now)
            return paused ? [] : [.refreshNow]
        case .action(let key): return openDraft(key, now: now)
        case .toggleCommandLog: showingCommandLog.toggle()
        case .refreshFaster: changeInterval(by: 0.5, now: now)
        case .refreshSlower: changeInterval(by: 2, now: now)
        }
        return []
    }

    // MARK: Input line

    private mutating func edit(_ key: Key, now: Date) -> [DashboardEffect] {
        guard let input else { return [] }
        var text: String
        switch input {
        case .command(let typed): text = typed
        case .filter(let typed, _): text = typed
        }
        switch key {
        case .escape:
            if case .filter(_, let previous) = input { applyFilter(previous) }
            self.input = nil
            return []
        case .enter:
            self.input = nil
            if case .command = input { return execute(text, now: now) }
            return []
        case .tab:
            if case .command = input, let completion = ViewKind.completions(for: text).first { text = completion }
        case .backspace, .delete:
            if text.isEmpty { self.input = nil; if case .filter(_, let previous) = input { applyFilter(previous) }; return [] }
            text.removeLast()
        case .character(let character):
            text.append(character)
        default:
            return []
        }
        switch input {
        case .command: self.input = .command(text)
        case .filter(_, let previous):
            self.input = .filter(text, previous: previous)
            applyFilter(text)
        }
        return []
    }

    private mutating func execute(_ line: String, now: Date) -> [DashboardEffect] {
        let words = line.split(separator: " ").map(String.init)
        guard let name = words.first?.lowercased() else { return [] }
        if name == "q" || name == "quit" { return [.quit] }
        if name == "help" { showingHelp = true; return [] }
        if let target = ViewKind(rawValue: name) ?? ViewKind.completions(for: name).first.flatMap(ViewKind.init(rawValue:)) {
            switchView(to: target)
            return []
        }
        if name == "write" {
            setWriteMode(words.dropFirst().first, now: now)
            return []
        }
        if name == "refresh" {
            let limits = (minimum: Self.seconds(Self.minimumRefresh), maximum: Self.seconds(Self.maximumRefresh))
            guard let seconds = words.dropFirst().first.flatMap(Double.init) else {
                say(":refresh needs a number of seconds, e.g. :refresh 2", role: .warning, now: now)
                return []
            }
            do {
                setInterval(try FiniteSeconds.duration(seconds, option: ":refresh", minimum: limits.minimum, maximum: limits.maximum), now: now)
            } catch {
                say(error.message + ", e.g. :refresh 2", role: .warning, now: now)
            }
            return []
        }
        say("unknown command :\(line) — views: \(ViewKind.allCases.map(\.rawValue).joined(separator: ", ")); also :write 10m, :refresh SECONDS, :q",
            role: .warning, now: now)
        return []
    }

    private mutating func applyFilter(_ text: String) {
        guard panes[focusedSource]!.filter != text else { return }
        panes[focusedSource]!.filter = text
        resetPages(focusedSource)
    }

    // MARK: Navigation

    private mutating func back() {
        if detail != nil {
            detail = nil
        } else if !panes[focusedSource]!.filter.isEmpty {
            panes[focusedSource]!.filter = ""
            resetPages(focusedSource)
        } else if view != .overview {
            switchView(to: .overview)
        }
    }

    private mutating func switchView(to target: ViewKind) {
        detail = nil
        view = target
        data = data.flatMap { $0.plan == plan ? $0 : nil }
    }

    private mutating func open(now: Date) {
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

    private func selectedID(of source: PaneSource) -> String? {
        guard let prints = data?.fingerprints(of: source) else { return nil }
        let index = panes[source]!.selectedIndex
        return prints.indices.contains(index) ? prints[index].id : nil
    }

    private mutating func moveSelection(by delta: Int, now: Date) {
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

    private mutating func turnPage(forward: Bool) {
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

    private mutating func firstPage() {
        resetPages(focusedSource)
    }

    private mutating func select(index: Int) {
        let source = focusedSource
        let count = data?.rowCount(of: source) ?? 0
        panes[source]!.selectedIndex = max(0, min(index, count - 1))
        panes[source]!.selectedID = selectedID(of: source)
    }

    private mutating func resetPages(_ source: PaneSource) {
        panes[source]!.pageStarts = []
        panes[source]!.page = 0
        panes[source]!.selectedIndex = 0
        panes[source]!.selectedID = nil
    }

    private mutating func sort(byColumn number: Int, now: Date) {
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

    private mutating func changeInterval(by factor: Double, now: Date) {
        setInterval(refreshInterval * factor, now: now)
    }

    private mutating func setInterval(_ interval: Duration, now: Date) {
        refreshInterval = min(Self.maximumRefresh, max(Self.minimumRefresh, interval))
        let seconds = Self.seconds(refreshInterval)
        say("refreshing every \(String(format: "%g", seconds))s (limits \(Self.minimumRefresh) – \(Self.maximumRefresh))",
            role: .normal, now: now)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Shows `text` on the message line for a few seconds (a logged warning, a bad theme file).
    mutating func notify(_ text: String, role: StyleRole, now: Date) {
        say(text, role: role, now: now)
    }

    /// Shows `text` for `seconds`; a warning or worse stays until the next key, so it is not missed.
    private mutating func say(_ text: String, role: StyleRole, now: Date, seconds: TimeInterval = 5) {
        let sticky = role == .warning || role == .critical
        message = (text, role, sticky ? .distantFuture : now.addingTimeInterval(seconds))
    }

    // MARK: Operator actions

    /// Whether actions are on now (`:write` not yet expired, and not `--readonly`).
    func writeEnabled(now: Date) -> Bool {
        !identity.readOnly && (writeUntil.map { $0 > now } ?? false)
    }

    /// Whether the refresh should hold still: paused, a dialog open, or the cursor just moved.
    func refreshHeld(now: Date) -> Bool {
        paused || draft != nil || (holdUntil.map { $0 > now } ?? false)
    }

    private mutating func setWriteMode(_ argument: String?, now: Date) {
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

    private mutating func openDraft(_ key: ActionKey, now: Date) -> [DashboardEffect] {
        guard running == nil else {
            say("\(running!.action.progressText) is still running", role: .warning, now: now)
            return []
        }
        guard view != .overview, focusedSource.isSelectable, let data, let id = detail?.id ?? selectedID(of: focusedSource) else {
            say("select a row in its view first (:auctions, :proposals, :transfers, :approvals, :locks)", role: .warning, now: now)
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

    // MARK: Refresh results

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

    private mutating func accept(_ result: FetchResult, now: Date) {
        guard result.plan == plan else { return }
        var merged = result
        if let previous = data {
            // A source whose read failed keeps its last rows; the status bar says the server is down.
            merged.auctions = result.auctions ?? previous.auctions
            merged.proposals = result.proposals ?? previous.proposals
            merged.transfers = result.transfers ?? previous.transfers
            merged.heldLocks = result.heldLocks ?? previous.heldLocks
            merged.lockWaits = result.lockWaits ?? previous.lockWaits
            merged.contention = result.contention ?? previous.contention
            merged.rates = result.rates ?? previous.rates
            merged.audit = result.audit ?? previous.audit
            merged.bids = result.bids ?? previous.bids
            merged.counts = result.counts ?? previous.counts
        }
        previousData = data?.plan == result.plan ? data : nil
        if let problem = result.problem { say(problem, role: .critical, now: now) }
        if let role = result.operatorRole { identity.role = role }
        flashChanges(merged, now: now)
        data = merged
        keepSelection()
    }

    /// Marks rows that appeared or changed since the last refresh of the same page for 1.5 s.
    private mutating func flashChanges(_ result: FetchResult, now: Date) {
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
    private mutating func keepSelection() {
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
