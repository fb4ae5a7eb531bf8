import CoreMetrics
import MarketCore
import Prometheus

/// A process' own metrics (swift-metrics, MarketCore's included) served for Prometheus.
///
/// One line in a process that embeds MarketCore:
/// ```swift
/// let metrics = try PrometheusEndpoint.bootstrap(listen: "0.0.0.0:9464")
/// ```
/// bootstraps swift-metrics with swift-prometheus, so the per-process series MarketCore records
/// (`market_uow_total{operation,outcome,reason}`, `market_uow_duration`, `market_lock_timeouts_total`,
/// `market_lock_lost_total`, `market_lock_renewal_failures_total`) and the process' own metrics are
/// served at `http://HOST:PORT/metrics`. Pass `pools:` to add each pool's connections in use, idle
/// and the tasks waiting for one, read at every scrape.
///
/// swift-metrics can be bootstrapped once per process: call this once, early, and keep the
/// endpoint for the life of the process (``close()`` stops serving).
public final class PrometheusEndpoint: Sendable {
    /// The registry behind the swift-metrics backend.
    public let registry: PrometheusCollectorRegistry
    /// The listener (its port is the kernel's choice when `listen` asked for port 0).
    public let server: MetricsHTTPServer

    /// Bootstraps swift-metrics with a Prometheus backend and serves it on `listen` (`HOST:PORT`).
    ///
    /// - Parameter pools: named pools whose statistics are published as
    ///   `market_pool_connections{pool,state="in_use"|"idle"}` and `market_pool_waiting{pool}`.
    /// - Throws: ``MetricsHTTPServerError`` when `listen` cannot be bound.
    public static func bootstrap(listen: String, pools: [String: PostgresPool] = [:]) throws -> PrometheusEndpoint {
        let registry = PrometheusCollectorRegistry()
        let endpoint = try PrometheusEndpoint(registry: registry, listen: listen, pools: pools)
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return endpoint
    }

    /// Serves `registry` on `listen` without touching swift-metrics (for a process that
    /// bootstraps swift-metrics itself, or a test).
    public init(registry: PrometheusCollectorRegistry, listen: String, pools: [String: PostgresPool] = [:]) throws {
        self.registry = registry
        self.server = try MetricsHTTPServer(listen: listen) { request in
            await .metrics(for: request) { format in
                for (name, pool) in pools { Self.publish(pool.statistics, of: name, into: registry) }
                return format.render(registry)
            }
        }
    }

    /// Stops serving.
    public func close() {
        server.close()
    }

    private static func publish(_ statistics: PostgresPool.Statistics, of pool: String, into registry: PrometheusCollectorRegistry) {
        let connections = MetricNameDescriptor.market("market_pool_connections",
                                                       help: "Connections of the process' PostgreSQL pool, in use by a task or idle.")
        registry.makeGauge(descriptor: connections, labels: [("pool", pool), ("state", "in_use")]).set(Double(statistics.open - statistics.idle))
        registry.makeGauge(descriptor: connections, labels: [("pool", pool), ("state", "idle")]).set(Double(statistics.idle))
        registry.makeGauge(descriptor: .market("market_pool_waiting", help: "Tasks of the process waiting for a connection of its PostgreSQL pool."),
                           labels: [("pool", pool)])
            .set(Double(statistics.waiting))
    }
}
