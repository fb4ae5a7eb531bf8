import MarketCore
import Prometheus

/// The market's Unit of Work and lock counters and histograms, kept as running totals of the
/// shared per-second statistics (see ``SettledStatsFeed`` for why and what that implies).
///
/// Series are market-wide (every reporting process summed) and named apart from the per-process
/// series a process exports through swift-metrics (`market_uow_total`, `market_lock_lost_total` …),
/// so that a sum over both never counts an event twice.
struct StatsMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    /// Adds one batch of settled seconds.
    func add(_ batch: SettledStatsFeed.Batch) {
        for stats in batch.unitOfWork { add(stats) }
        for stats in batch.locks { add(stats) }
    }

    private func add(_ stats: UnitOfWorkStats) {
        let operation = [("operation", stats.operation)]
        // Every series of an operation is registered at its first batch, zeros too, so that
        // `increase` and `rate` see the first rollback of a reason.
        registry.makeCounter(descriptor: .market("market_uow_commits_total", help: "Units of Work committed, by operation."),
                             labels: operation)
            .increment(by: stats.commits)
        for reason in RollbackReason.allCases {
            registry.makeCounter(descriptor: .market("market_uow_rollbacks_total",
                                                     help: "Units of Work rolled back, by operation and reason (rule, conflict, lock_timeout, external, error)."),
                                 labels: operation + [("reason", reason.rawValue)])
                .increment(by: stats.rollbacks[reason] ?? 0)
        }
        HistogramReplay.record(stats.duration, into: registry.makeDurationHistogram(
            descriptor: .market("market_uow_duration_seconds", help: "How long Units of Work took, commit or rollback, by operation."),
            labels: operation, buckets: HistogramReplay.buckets))
    }

    /// The lock counters: (metric name, help, value). A counter the statistics gain is one more line here.
    private static func lockCounters(_ stats: LockPrefixStats) -> [(String, String, Int64)] {
        [("market_lock_acquired_total", "Distributed locks acquired, by key prefix.", stats.acquired),
         ("market_lock_contended_total", "Distributed locks acquired after waiting for another holder, by key prefix.", stats.waited),
         ("market_lock_wait_timeouts_total", "Lock waits that timed out, by key prefix.", stats.timedOut),
         ("market_lock_renewal_failed_total", "Lease renewals that failed, by key prefix.", stats.renewalFailures),
         ("market_lock_leases_lost_total", "Leases lost while their holder ran (its body was cancelled), by key prefix.", stats.lost),
         ("market_lock_fences_refused_total", "Commits refused at the fence check: a holder whose fence another had overtaken, by key prefix.",
          stats.fenceRefused)]
    }

    private func add(_ stats: LockPrefixStats) {
        let prefix = [("prefix", stats.prefix)]
        for (name, help, value) in Self.lockCounters(stats) {
            // Zeros too, as for the operations above.
            registry.makeCounter(descriptor: .market(name, help: help), labels: prefix).increment(by: value)
        }
        HistogramReplay.record(stats.wait, into: registry.makeDurationHistogram(
            descriptor: .market("market_lock_wait_seconds", help: "How long lock acquisitions waited (acquired or timed out), by key prefix."),
            labels: prefix, buckets: HistogramReplay.buckets))
        HistogramReplay.record(stats.hold, into: registry.makeDurationHistogram(
            descriptor: .market("market_lock_hold_seconds", help: "How long locks were held, by key prefix."),
            labels: prefix, buckets: HistogramReplay.buckets))
    }
}
