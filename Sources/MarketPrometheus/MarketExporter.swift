import Foundation
import MarketCore
import Prometheus

/// The whole market as Prometheus metrics, read fresh at every scrape.
///
/// ```swift
/// let exporter = MarketExporter(services: services)
/// let text = await exporter.scrape(.prometheusText)
/// ```
/// A scrape reads, at the same time: the statistics seconds settled since the previous scrape
/// (``SettledStatsFeed``: counters and histograms of every process' Units of Work and locks), the
/// lock registry's size and entries (Redis), and one pipelined round trip of PostgreSQL reads
/// (``PostgresHealth``). A server that cannot be read shows as `market_up{server=…} 0` and its
/// series keep their last values; the scrape itself still succeeds, so Prometheus can tell "the
/// market's server is down" from "the exporter is gone". Scrapes must not overlap (the HTTP
/// listener serves one at a time).
public final class MarketExporter: Sendable {
    /// The registry the metrics are kept in.
    public let registry: PrometheusCollectorRegistry
    private let services: MarketServices
    private let feed: SettledStatsFeed?
    private let stats: StatsMetrics

    /// How many of the oldest held locks the stuck-lock alerts look at (as the console's alerts view).
    static let oldestLocksChecked = 500

    public init(services: MarketServices, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.services = services
        self.registry = registry
        self.feed = services.redis.map { SettledStatsFeed(redis: $0, namespace: $0.configuration.namespace) }
        self.stats = StatsMetrics(registry: registry)
    }

    /// Reads the market and renders every metric in `format`.
    public func scrape(_ format: ExpositionFormat) async -> [UInt8] {
        let started = ContinuousClock.now
        await collect()
        gauge("market_exporter_scrape_duration_seconds", "How long the exporter took to read the market for this scrape.")
            .set(started.duration(to: .now).secondsValue)
        return format.render(registry)
    }

    /// Updates every metric from the servers.
    func collect() async {
        async let postgres = readPostgres()
        async let redis = readRedis()
        async let readPool = readStandbyLag()
        let (health, redisReading) = (await postgres, await redis)
        publish(standbyLag: await readPool)

        setUp("postgres", health != nil)
        if services.redis != nil { setUp("redis", redisReading != nil) }
        let mode = services.locks.mode
        for candidate in [LockMode.redis, .advisory, .failClosed, .noop] {
            gauge("market_lock_mode", "How the exporter's lock service takes locks now (1 for the mode in force): "
                  + "redis, or with Redis unreachable the fallback policy advisory, fail-closed or noop.",
                  [("mode", candidate.rawValue)]).set(candidate == mode ? 1.0 : 0.0)
        }
        if let redisReading {
            stats.add(redisReading.batch)
            gauge("market_locks_held", "Entries in the lock registry: distributed locks held now.").set(Double(redisReading.held))
            gauge("market_stats_reporting_processes", "Processes that flushed statistics within the last 10 s.")
                .set(Double(redisReading.processes))
        }
        if let health {
            publish(health, heldLocks: redisReading?.locks ?? [])
        }
    }

    // MARK: - Reading

    private struct RedisReading: Sendable {
        var batch: SettledStatsFeed.Batch
        var held: Int
        var locks: [HeldLock]
        var processes: Int
    }

    private func readRedis() async -> RedisReading? {
        guard let redis = services.redis, let feed else { return nil }
        do {
            async let batch = feed.next()
            async let held = services.locks.heldLockCount()
            // As the console's alerts view: the stuck locks are among the oldest, so the 500 oldest
            // are read, not the whole registry (10,000 entries would cost a scrape seconds).
            async let locks = services.locks.heldLocks(PageRequest(sort: "acquired_at", limit: MarketExporter.oldestLocksChecked))
            async let processes = StatsReader(redis: redis, namespace: redis.configuration.namespace).reportingProcesses()
            return RedisReading(batch: try await batch, held: try await held, locks: try await locks.rows,
                                processes: try await processes.count)
        } catch {
            readFailed("redis")
            return nil
        }
    }

    private func readPostgres() async -> PostgresHealth? {
        do {
            return try await PostgresHealth.read(from: services.pool)
        } catch {
            readFailed("postgres")
            return nil
        }
    }

    /// The read pool's replay lag, when a read URL is configured (nil: none, or it could not be read).
    private func readStandbyLag() async -> ReadReplicaLag?? {
        guard services.readPool != nil else { return .none }
        do {
            return .some(try await DashboardQueries(services: services).readReplicaLag())
        } catch {
            readFailed("read-pool")
            return .some(nil)
        }
    }

    private func readFailed(_ server: String) {
        registry.makeCounter(descriptor: .market("market_exporter_read_errors_total", help: "Scrapes in which the exporter could not read a server."),
                             labels: [("server", server)])
            .increment()
    }

    // MARK: - Publishing

    private func publish(_ health: PostgresHealth, heldLocks: [HeldLock]) {
        for threshold in PostgresHealth.pendingAgeThresholds {
            let age = [("older_than_seconds", String(threshold))]
            gauge("market_pending_channel_transfers", "Pending channel transfers older than older_than_seconds (0: all).", age)
                .set(Double(health.pendingChannelTransfers[threshold] ?? 0))
            gauge("market_pending_withdrawals", "Pending withdrawals older than older_than_seconds (0: all).", age)
                .set(Double(health.pendingWithdrawals[threshold] ?? 0))
        }
        let states = Set(["active", "idle", "idle in transaction", "idle in transaction (aborted)"]).union(health.sessionsByState.keys)
        for state in states {
            gauge("market_postgres_sessions", "Client sessions of the market's database by state (pg_stat_activity), "
                  + "across every process' pools.", [("state", state)]).set(Double(health.sessionsByState[state] ?? 0))
        }
        gauge("market_postgres_sessions_waiting_for_lock", "Client sessions of the market's database waiting for a row or table lock.")
            .set(Double(health.sessionsWaitingForLocks))

        let alerts = StuckLockDetector.alerts(locks: heldLocks, lockWaits: health.lockWaits,
                                              openTransactions: health.openTransactions, now: Date())
        for kind in [LockAlert.Kind.leaseNotExtended, .leaseEndingWithOpenTransaction, .idleBlocker] {
            for severity in [LockAlert.Severity.warning, .critical] {
                let count = alerts.filter { $0.kind == kind && $0.severity == severity }.count
                gauge("market_stuck_lock_alerts", "Open stuck-lock alerts (as the console's alerts view shows them), by kind and severity.",
                      [("kind", kind.rawValue), ("severity", severity.rawValue)]).set(Double(count))
            }
        }
    }

    /// With a read URL: whether its server answered, whether it is a standby, and its replay lag.
    private func publish(standbyLag: ReadReplicaLag??) {
        guard case .some(let reading) = standbyLag else { return }
        setUp("read-pool", reading != nil)
        guard let reading else { return }
        gauge("market_read_pool_is_standby", "Whether the read URL (DATABASE_READ_URL) leads to a standby (1) or a primary (0).")
            .set(reading.isStandby ? 1.0 : 0.0)
        if let seconds = reading.seconds {
            gauge("market_standby_replay_lag_seconds", "Age of the last transaction the read pool's standby replayed "
                  + "(0 when it has replayed all it received).").set(seconds)
        }
    }

    private func setUp(_ server: String, _ up: Bool) {
        gauge("market_up", "Whether the exporter could read the server this scrape (1) or not (0).", [("server", server)])
            .set(up ? 1.0 : 0.0)
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: .market(name, help: help), labels: labels)
    }
}

extension Duration {
    /// Seconds as a Double.
    var secondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
