import MarketCore
import Prometheus

/// The two text formats a scraper may ask for, chosen by its `Accept` header.
///
/// swift-prometheus writes the Prometheus text format (0.0.4). OpenMetrics 1.0 differs from it, for
/// what the registry emits, only in two places: a counter family is named without its `_total`
/// suffix in `# HELP`/`# TYPE` (its samples keep it), and the exposition ends with `# EOF`.
/// ``render(_:)`` makes those two changes to the metadata lines and copies every sample as is.
public enum ExpositionFormat: Sendable, Equatable {
    case prometheusText
    case openMetrics

    /// OpenMetrics when the `Accept` header names it (as Prometheus does when it prefers it),
    /// else the Prometheus text format.
    public init(accept: String) {
        self = accept.lowercased().contains("application/openmetrics-text") ? .openMetrics : .prometheusText
    }

    /// The `Content-Type` of a reply in this format.
    public var contentType: String {
        switch self {
        case .prometheusText: "text/plain; version=0.0.4; charset=utf-8"
        case .openMetrics: "application/openmetrics-text; version=1.0.0; charset=utf-8"
        }
    }

    /// The registry's metrics in this format.
    public func render(_ registry: PrometheusCollectorRegistry) -> [UInt8] {
        let text = registry.emitToBuffer()
        guard self == .openMetrics else { return text }
        return Self.openMetrics(fromPrometheusText: text)
    }

    /// Prometheus text as emitted by the registry, turned into OpenMetrics text.
    static func openMetrics(fromPrometheusText text: [UInt8]) -> [UInt8] {
        let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { String(decoding: $0, as: UTF8.self) }
        var counters: Set<Substring> = []
        for line in lines where line.hasPrefix("# TYPE ") && line.hasSuffix(" counter") {
            counters.insert(line.dropFirst("# TYPE ".count).dropLast(" counter".count))
        }
        var output: [UInt8] = []
        output.reserveCapacity(text.count + 8)
        for line in lines {
            output += Array(metadataForOpenMetrics(line, counters: counters).utf8)
            output.append(UInt8(ascii: "\n"))
        }
        output += Array("# EOF\n".utf8)
        return output
    }

    /// `# HELP name_total …` / `# TYPE name_total counter` without the suffix; other lines unchanged.
    private static func metadataForOpenMetrics(_ line: String, counters: Set<Substring>) -> String {
        for keyword in ["# HELP ", "# TYPE "] where line.hasPrefix(keyword) {
            let rest = line.dropFirst(keyword.count)
            let name = rest.prefix { $0 != " " }
            guard counters.contains(name), name.hasSuffix("_total") else { return line }
            return keyword + name.dropLast("_total".count) + rest.dropFirst(name.count)
        }
        return line
    }
}

extension MetricsHTTPServer.Response {
    /// The registry's metrics in the format `request` asks for (`GET`/`HEAD` of `/metrics`), a
    /// short page pointing there at `/`, and 404 elsewhere.
    public static func metrics(for request: MetricsHTTPServer.Request,
                               render: (ExpositionFormat) async -> [UInt8]) async -> MetricsHTTPServer.Response {
        switch request.path {
        case "/metrics":
            let format = ExpositionFormat(accept: request.accept)
            return MetricsHTTPServer.Response(status: 200, contentType: format.contentType, body: await render(format))
        case "/":
            return .text(200, "Market metrics: see /metrics\n")
        default:
            return .text(404, "not found: only /metrics is served here\n")
        }
    }
}
