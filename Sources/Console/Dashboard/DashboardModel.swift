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
/// no clock of its own (time comes in with each event), so tests drive it key by key. The state is
/// here; each concern's steps are in its own extension (`DashboardModel+Update`, `+Input`,
/// `+Navigation`, `+Messages`, `+Actions`, `+Refresh`), and only they change it.
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
    var detailOpenedWith: FetchResult?
    var input: Input?
    var showingHelp = false
    var paused = false
    var refreshInterval: Duration
    static let minimumRefresh = Duration.milliseconds(250)
    static let maximumRefresh = Duration.seconds(60)
    var message: (text: String, role: StyleRole, until: Date)?
    var identity: OperatorIdentity
    /// Until when actions are enabled (`:write 10m`); the console starts read-only.
    var writeUntil: Date?
    static let longestWrite: TimeInterval = 3600
    /// The confirmation dialog being filled in.
    var draft: ActionDraft?
    /// The action running now and since when (the spinner).
    var running: (action: OperatorActionRequest, since: Date)?
    /// What the console ran on the operator's behalf, newest first (the `L` pane).
    var commandLog: [CommandLogEntry] = []
    var showingCommandLog = false
    /// Moving the cursor holds the refresh still until then, so rows do not jump under it.
    var holdUntil: Date?
    static let holdAfterMove: TimeInterval = 2
    var size = (width: 80, height: 24)
    /// The newest refresh for the current plan.
    var data: FetchResult?
    /// The refresh before it, when it was for the same plan: what rows changed from or left.
    var previousData: FetchResult?
    /// Rows that appeared or changed recently: id → role and until when.
    var flashes: [String: (role: StyleRole, until: Date)] = [:]
    var fingerprints: [PaneSource: [String: String]] = [:]
    /// The plan the fingerprints were taken for: rows of another page or sort are not "new".
    var fingerprintPlan: FetchPlan?
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
}
