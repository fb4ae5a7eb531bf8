/// Where the market's servers are and how the lock layer behaves when Redis is gone.
public struct MarketConfiguration: Sendable {
    public var database: PostgresConfiguration
    /// The login the market's own traffic (the simulator, a service embedding MarketCore) connects
    /// as, when it is not `database`'s: operators and the market never share a login.
    public var trafficDatabase: PostgresConfiguration?
    /// The login the reconciler connects as (in `market_reconciler`), when it is not `database`'s.
    public var reconcilerDatabase: PostgresConfiguration?
    /// nil runs without Redis: locks on the fallback policy, statistics kept in-process only.
    public var redis: RedisConfiguration?
    public var lockPolicy: LockFallbackPolicy = .advisory
    /// Where the dashboards' page reads and counts go (a standby, or a URL with
    /// `target_session_attrs=prefer-standby`); nil reads them from `database`. Preflight probes,
    /// version checks, lock waits and every action stay on `database`.
    public var readDatabase: PostgresConfiguration?

    /// Parses and validates both URLs; throws one clear line on a bad one. `sentinelPassword` is
    /// the sentinels' own password, for a `redis-sentinel://` URL whose sentinels ask for one.
    public init(databaseURL: String, redisURL: String?, sentinelPassword: String? = nil) throws {
        database = try PostgresConfiguration(url: databaseURL)
        redis = try redisURL.map { try RedisConfiguration(url: $0, sentinelPassword: sentinelPassword) }
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
    /// The pool of ``MarketConfiguration/readDatabase``, when one is configured.
    public let readPool: PostgresPool?
    private let advisoryPool: PostgresPool

    private init(configuration: MarketConfiguration) {
        self.configuration = configuration
        var primary = configuration.database
        // A transaction idle for half a lease belongs to a stalled holder: the server ends it, so
        // the rows it locked are free again well within the lease the waiters wait out.
        primary.idleInTransactionTimeout = primary.idleInTransactionTimeout ?? LockService.defaultLease / 2
        pool = PostgresPool(configuration: primary, label: "uow")
        readPool = configuration.readDatabase.map { read in
            var read = read
            read.schema = read.schema ?? configuration.database.schema  // the same tables, on the standby
            return PostgresPool(configuration: read, label: "read")
        }
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
            if let readPool = services.readPool {
                progress("connecting to the read pool at \(readPool.configuration.redactedURL)")
                _ = try await readPool.simpleQuery("SELECT 1")
            }
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
        await readPool?.close()
        await advisoryPool.close()
        redis?.close()
    }
}
