import Prometheus

extension MetricNameDescriptor {
    /// A metric spelled out in full (`market_uow_commits_total`) with its help text: the market's
    /// names are written whole where they are used, so that a search for one finds it.
    static func market(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
