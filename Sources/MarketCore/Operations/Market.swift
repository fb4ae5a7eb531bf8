/// The market's operations: each takes its distributed lock, runs one Unit of Work that locks its
/// rows (`FOR UPDATE`, several in id order), checks the rules, writes, and records its outcome.
///
/// ```swift
/// let market = Market(services: services, gateways: gateways)
/// try await market.bid(auction: 42, bidder: 7, amount: 2 * TON.nano)
/// ```
/// Rule violations throw ``MarketError`` with a sentence for a person. Operations that call
/// Telegram or TON commit a pending state first, call out with retry, then commit the outcome,
/// so a crash in between leaves a pending row an operator can resolve.
public final class Market: Sendable {
    public let services: MarketServices
    public let gateways: Gateways
    public let rules: MarketRules

    /// The actions under the two-person rule until the schema's owner sets others
    /// (``setTwoPersonActions(_:)``, which `migrate` calls).
    public static let defaultTwoPersonActions: Set<OperatorAction> = [.forceCompleteTransfer]

    public init(services: MarketServices, gateways: Gateways, rules: MarketRules = .default) {
        self.services = services
        self.gateways = gateways
        self.rules = rules
    }

    var database: Database { services.database }

    /// The seed's pattern: lock `key`, then one Unit of Work named `operation`.
    ///
    /// Runs on one of the database pool's threads from the start: the operation mostly waits on its
    /// statements, and its lock and its Unit of Work then cost no thread hop between them.
    @discardableResult
    func locked<T: Sendable>(_ key: String, _ operation: String,
                             _ body: @escaping @Sendable (UnitOfWork) async throws -> T) async throws -> T {
        let executor = database.pool.taskExecutor
        return try await withTaskExecutorPreference(executor) {
            try await services.locks.withLock(key, operation: operation, executor: executor) { lease in
                try await self.database.withUnitOfWork(named: operation, lease: lease) { uow in try await body(uow) }
            }
        }
    }
}
