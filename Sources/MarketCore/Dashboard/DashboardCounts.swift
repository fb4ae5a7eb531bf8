/// How many rows each dashboard section has, for its title and scroll bar.
///
/// ``DashboardQueries/counts()`` takes the four table counts from a cache at most a few seconds
/// old (see there); ``heldLocks`` and ``lockWaits`` are read live on every call.
public struct DashboardCounts: Sendable, Equatable, Codable {
    /// Auctions in state `active`.
    public var liveAuctions: Int
    /// Trade proposals in state `pending`.
    public var pendingProposals: Int
    /// Pending channel transfers.
    public var pendingTransfers: Int
    /// Withdrawals in state `pending`.
    public var pendingWithdrawals: Int
    /// Pending transfers and withdrawals the reconciler settled in the last minute.
    public var settledAutomatically: Int
    /// Entries in the lock registry.
    public var heldLocks: Int
    /// PostgreSQL sessions of this database waiting for a lock another session holds.
    public var lockWaits: Int
    /// Why ``heldLocks`` is 0: Redis could not be reached. nil when it was read (or no Redis is configured).
    public var redisProblem: String?

    /// Counts as the console shows them.
    public init(liveAuctions: Int, pendingProposals: Int, pendingTransfers: Int, pendingWithdrawals: Int,
                heldLocks: Int, lockWaits: Int, settledAutomatically: Int = 0, redisProblem: String? = nil) {
        self.liveAuctions = liveAuctions
        self.pendingProposals = pendingProposals
        self.pendingTransfers = pendingTransfers
        self.pendingWithdrawals = pendingWithdrawals
        self.settledAutomatically = settledAutomatically
        self.heldLocks = heldLocks
        self.lockWaits = lockWaits
        self.redisProblem = redisProblem
    }
}
