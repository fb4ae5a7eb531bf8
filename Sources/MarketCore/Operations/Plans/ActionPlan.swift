/// What an operator action will do, from the core that does it (``Market/plan(_:)``): the lock it
/// takes, the rows its Unit of Work locks in order, the money that moves and to whom, and the
/// version it requires. The console's confirmation shows it and the preflight probes exactly it;
/// the operation locks the same rows from the same definition (the database's `mc_action_rows`).
public struct ActionPlan: Sendable, Equatable {
    /// A row the action locks.
    public struct Row: Sendable, Equatable, Hashable {
        /// The table, e.g. `auctions`.
        public var table: String
        /// The row's `id`.
        public var id: Int64
        /// `UPDATE`, or `NO KEY UPDATE` for users (as every market operation locks them).
        public var lockMode: String
        /// What the row is to the action: "the auction", "the top bidder".
        public var role: String

        public init(table: String, id: Int64, lockMode: String, role: String) {
            self.table = table
            self.id = id
            self.lockMode = lockMode
            self.role = role
        }
    }

    /// Money the action moves, in nanoTON.
    public struct Movement: Sendable, Equatable {
        /// nanoTON.
        public var amount: Int64
        /// Who receives it: a user's name and id.
        public var to: String
        /// Where it comes from: "held for their top bid", "the buyer's escrow".
        public var from: String
        /// When it moves only on one outcome ("if Telegram moves the channel"); nil: always.
        public var condition: String?
    }

    /// The action planned, as the operator asked for it.
    public var request: OperatorActionRequest
    /// The distributed lock it takes, or (``takesOverLock``) the lock it takes over.
    public var lockKey: String
    /// A lock release does not wait for its lock: it takes it over from its holder.
    public var takesOverLock: Bool
    /// The rows its Unit of Work locks, in lock order (empty for a lock release).
    public var rows: [Row]
    /// The money it moves (none for a rejection, a release, a withdrawal resolved as sent).
    public var movements: [Movement]
    /// The row version it runs at, or nil when it checks none.
    public var requiredVersion: Int64?
    /// Under the two-person rule: confirming files a request, and the action runs — locking
    /// these rows — when a second operator approves it.
    public var needsSecondOperator: Bool
}
