/// The first rows of every section of the console's overview screen, fetched together.
public struct Overview: Sendable {
    /// Live auctions ending soonest.
    public var auctions: [LiveAuction]
    /// The oldest pending proposals.
    public var proposals: [PendingProposal]
    /// The oldest pending channel transfers and withdrawals.
    public var transfers: [PendingTransfer]
    /// The oldest held locks.
    public var locks: [HeldLock]
    /// Every blocked or blocking PostgreSQL session.
    public var lockWaits: [PostgresLockWait]
    /// Lock contention per key prefix over the statistics window.
    public var contention: [LockPrefixStats]
    /// Unit of Work outcomes per operation over the statistics window.
    public var rates: [UnitOfWorkStats]
    /// How locks are taken right now.
    public var lockMode: LockMode
    /// Why ``locks``, ``contention`` and ``rates`` are empty: Redis could not be reached. nil when
    /// they were read (or no Redis is configured).
    public var redisProblem: String?

    /// An overview as the console shows it.
    public init(auctions: [LiveAuction], proposals: [PendingProposal], transfers: [PendingTransfer], locks: [HeldLock],
                lockWaits: [PostgresLockWait], contention: [LockPrefixStats], rates: [UnitOfWorkStats], lockMode: LockMode,
                redisProblem: String? = nil) {
        self.auctions = auctions
        self.proposals = proposals
        self.transfers = transfers
        self.locks = locks
        self.lockWaits = lockWaits
        self.contention = contention
        self.rates = rates
        self.lockMode = lockMode
        self.redisProblem = redisProblem
    }
}
