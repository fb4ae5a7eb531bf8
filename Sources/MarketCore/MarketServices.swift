/// Where the market's servers are and how the lock layer behaves when Redis is gone.
public struct MarketConfiguration: Sendable {
    public var database: PostgresConfiguration
    /// The login the market's own traffic (the simulator, a service embedding MarketCore) connects
    /// as, when it is not `database`'s: operators and the market never share a login.
    public var trafficDatabase: PostgresConfiguration?
    /// nil runs without Redis: locks on the fallback policy, statistics kept in-process only.
    public var redis: RedisConfiguration?
    public var lockPolicy: LockFallbackPolicy = .advisory

    /// Parses and validates both URLs; throws one clear line on a bad one.
    public init(databaseURL: String, redisURL: String?) throws {
        database = try PostgresConfiguration(url: databaseURL)
        redis = try redisURL.map { try RedisConfiguration(url: $0) }
    }
}

/// The shared core wired together: pools, Redis, statistics, locks and Units of Work.
///
/// ```swift
/// let services = try await MarketServices.connect(configuration)
/// defer { Task { await services.shutdown() } }
/// try await services.locks.withLock("account:7") { lease in
///     try await services.database.withUnitOfWork(named: "account.deposit", lease: lease) { … }
/// }
/// ```
public final class MarketServices: Sendable {
    public let configuration: MarketConfiguration
    public let pool: PostgresPool
    public let redis: RedisConnection?
    public let stats: StatsRecorder
    public let locks: LockService
    public let database: Database
    private let advisoryPool: PostgresPool

    private init(configuration: MarketConfiguration) {
        self.configuration = configuration
        pool = PostgresPool(configuration: configuration.database, label: "uow")
        var advisoryConfiguration = configuration.database
        advisoryConfiguration.applicationName += " (locks)"
        advisoryConfiguration.maxConnections = max(8, configuration.database.maxConnections)
        advisoryPool = PostgresPool(configuration: advisoryConfiguration, label: "advisory")
        redis = configuration.redis.map { RedisConnection(configuration: $0) }
        stats = StatsRecorder(redis: redis, namespace: configuration.redis?.namespace ?? "mc:")
        locks = LockService(redis: redis, advisoryPool: advisoryPool, policy: configuration.lockPolicy, stats: stats)
        database = Database(pool: pool, stats: stats, locks: locks)
    }

    /// Connects, checks that both servers answer, and (optionally) migrates the schema.
    ///
    /// - Throws: ``PostgresError`` or ``RedisError`` whose description is one line for the operator.
    public static func connect(_ configuration: MarketConfiguration, migrate: Bool = true,
                               progress: @Sendable (String) -> Void = { _ in }) async throws -> MarketServices {
        let services = MarketServices(configuration: configuration)
        do {
            progress("connecting to PostgreSQL at \(configuration.database.redactedURL)")
            _ = try await services.pool.simpleQuery("SELECT 1")
            if let redis = services.redis {
                progress("connecting to Redis at \(redis.configuration.redactedURL)")
                do {
                    _ = try await redis.send("PING")
                } catch let error as RedisError where error.isConnectionFailure && error.code != .refused {
                    // The market runs on its lock policy while Redis is down; it may as well start that way.
                    // A refusal (wrong password, database, master name) is a configuration error instead:
                    // it ends the command, since no amount of waiting would bring Redis back.
                    services.locks.noteRedisFailure(error)
                    progress("Redis is unreachable (\(error)); locks: \(services.locks.mode.label) until it answers")
                }
            }
            if migrate { try await Migrator(pool: services.pool).migrate(progress: progress) }
        } catch {
            await services.shutdown()
            throw error
        }
        services.stats.start()
        return services
    }

    /// Flushes statistics and closes every connection.
    public func shutdown() async {
        await locks.close()
        await stats.stop()
        await pool.close()
        await advisoryPool.close()
        redis?.close()
    }
}
