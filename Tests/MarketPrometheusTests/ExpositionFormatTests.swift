import Testing
@testable import MarketPrometheus
import Prometheus

@Suite("Exposition formats")
struct ExpositionFormatTests {
    @Test func prometheusOwnAcceptHeaderGetsOpenMetricsAndPlainScrapersGetText() {
        // What Prometheus 2.x sends.
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
        #expect(ExpositionFormat(accept: prometheus) == .openMetrics)
        #expect(ExpositionFormat(accept: "text/plain") == .prometheusText)
        #expect(ExpositionFormat(accept: "") == .prometheusText)
        #expect(ExpositionFormat(accept: "*/*") == .prometheusText)
    }

    @Test func openMetricsNamesCounterFamiliesWithoutTotalKeepsSamplesAndEndsWithEOF() {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: .market("market_uow_commits_total", help: "Commits."), labels: [("operation", "auction.bid")])
            .increment(by: Int64(7))
        registry.makeGauge(descriptor: .market("market_locks_held", help: "Held."), labels: []).set(3.0)
        let text = String(decoding: ExpositionFormat.openMetrics.render(registry), as: UTF8.self)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("# HELP market_uow_commits Commits."))
        #expect(lines.contains("# TYPE market_uow_commits counter"))
        #expect(lines.contains(#"market_uow_commits_total{operation="auction.bid"} 7"#))
        #expect(lines.contains("# TYPE market_locks_held gauge"))
        #expect(lines.contains("market_locks_held 3.0"))
        #expect(lines.last == "# EOF")
        #expect(text.hasSuffix("# EOF\n"))

        let plain = String(decoding: ExpositionFormat.prometheusText.render(registry), as: UTF8.self)
        #expect(plain.contains("# TYPE market_uow_commits_total counter\n"))
        #expect(!plain.contains("# EOF"))
    }
}
