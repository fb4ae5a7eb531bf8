import Foundation
import MarketCore

/// What one refresh reads: the visible view's panes (one page each) and the open detail's extra rows.
/// The refresh task reads the model's current plan; a result for another plan is dropped.
struct FetchPlan: Hashable, Sendable {
    var view: ViewKind
    /// The page each paged pane of the view shows.
    var pages: [PaneSource: PageRequest]
    /// The rows per section of the overview, sized to the terminal.
    var overviewRows: Int
    /// The auction whose bid history the open detail shows.
    var bidsOfAuction: Int64?
    /// The seconds of statistics the rate panes sum.
    var rateWindowSeconds: Int
}

/// A server's health as the last refresh saw it.
enum ServerHealth: Equatable, Sendable {
    case up
    case down(String)
    case notConfigured
}

/// The rows one refresh read. A source the plan did not ask for, or whose read failed, is nil.
struct FetchResult: Sendable {
    var plan: FetchPlan
    var auctions: Page<LiveAuction>?
    var proposals: Page<PendingProposal>?
    var transfers: Page<PendingTransfer>?
    var heldLocks: Page<HeldLock>?
    var lockWaits: [PostgresLockWait]?
    var contention: [LockPrefixStats]?
    var rates: [UnitOfWorkStats]?
    var audit: Page<AuditEntry>?
    /// Stuck-lock alerts, from the oldest held locks, the lock waits and the open transactions.
    var alerts: [LockAlert]?
    /// Actions waiting for a second operator.
    var approvals: [PendingApproval]?
    var bids: [AuctionBid]?
    var counts: DashboardCounts?
    /// The read pool's replay lag; nil without a read pool (or when it could not be read).
    var readLag: ReadReplicaLag?
    var lockMode: LockMode
    /// Under Sentinel, the master the sentinels named last (shown in the status bar).
    var redisMaster: RedisAddress?
    /// What the last Redis outage or failover cost this process' locks (shown in the locks view).
    var lastRedisOutage: RedisOutageReport?
    var postgres: ServerHealth
    /// The read pool's server (`DATABASE_READ_URL`); `.notConfigured` without one.
    var readPool: ServerHealth
    var redis: ServerHealth
    var fetchedAt: Date
    /// How long the refresh took.
    var duration: Duration
    /// A read that failed for a reason other than a server being down (shown as a message).
    var problem: String?
    /// The login's role as its database groups say now.
    var operatorRole: OperatorRole?

    init(plan: FetchPlan, lockMode: LockMode, fetchedAt: Date) {
        self.plan = plan
        self.lockMode = lockMode
        postgres = .up
        readPool = .notConfigured
        redis = .up
        self.fetchedAt = fetchedAt
        duration = .zero
    }

    /// The ids and a fingerprint of every row of `source`, to tell added and changed rows apart.
    func fingerprints(of source: PaneSource) -> [(id: String, fingerprint: String)]? {
        func prints<Row: Identifiable>(_ rows: [Row]?) -> [(id: String, fingerprint: String)]? {
            rows?.map { ("\($0.id)", String(describing: $0)) }
        }
        switch source {
        case .auctions: return prints(auctions?.rows)
        case .proposals: return prints(proposals?.rows)
        case .transfers: return prints(transfers?.rows)
        case .heldLocks: return heldLocks?.rows.map { ($0.key, "\($0.fence)|\($0.waiters)") }
        case .audit: return prints(audit?.rows)
        case .alerts: return alerts?.map { ($0.id, $0.message) }
        case .approvals: return prints(approvals)
        case .lockWaits, .contention, .rates: return nil
        }
    }

    /// Whether this refresh read `source` (its rows are nil when it was not read or its read failed).
    func hasRows(of source: PaneSource) -> Bool {
        switch source {
        case .auctions: auctions != nil
        case .proposals: proposals != nil
        case .transfers: transfers != nil
        case .heldLocks: heldLocks != nil
        case .audit: audit != nil
        case .lockWaits: lockWaits != nil
        case .contention: contention != nil
        case .rates: rates != nil
        case .alerts: alerts != nil
        case .approvals: approvals != nil
        }
    }

    /// How many rows `source` has on screen.
    func rowCount(of source: PaneSource) -> Int {
        switch source {
        case .auctions: auctions?.rows.count ?? 0
        case .proposals: proposals?.rows.count ?? 0
        case .transfers: transfers?.rows.count ?? 0
        case .heldLocks: heldLocks?.rows.count ?? 0
        case .audit: audit?.rows.count ?? 0
        case .lockWaits: lockWaits?.count ?? 0
        case .contention: contention?.count ?? 0
        case .rates: (rates?.count ?? 0) + 1
        case .alerts: alerts?.count ?? 0
        case .approvals: approvals?.count ?? 0
        }
    }

    /// The cursor after the last row of `source`'s page, when there are more rows.
    func nextCursor(of source: PaneSource) -> PageCursor? {
        switch source {
        case .auctions: auctions?.next
        case .proposals: proposals?.next
        case .transfers: transfers?.next
        case .heldLocks: heldLocks?.next
        case .audit: audit?.next
        case .lockWaits, .contention, .rates, .alerts, .approvals: nil
        }
    }
}
