import CoreMetrics
import Foundation
import MarketCore
import Prometheus
import Synchronization
import Testing
@testable import MarketPrometheus

/// The HTTP side of a metrics endpoint: what a scraper, a curious browser and a confused client get.
@Suite("Metrics endpoint")
struct MetricsEndpointTests {
    private static func endpoint() throws -> PrometheusEndpoint {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: .market("probe_events_total", help: "Probe events."), labels: [("kind", "a\"b")]).increment(by: Int64(5))
        return try PrometheusEndpoint(registry: registry, listen: "127.0.0.1:0")
    }

    @Test func getMetricsServesTheTextFormatAndOpenMetricsWhenAsked() async throws {
        let endpoint = try Self.endpoint()
        defer { endpoint.close() }
        let text = try await HTTPProbe.get(port: endpoint.server.port, "/metrics")
        #expect(text.status == 200)
        #expect(text.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
        #expect(text.body.contains(#"probe_events_total{kind="a\"b"} 5"#))
        #expect(text.headers["content-length"] == String(text.body.utf8.count))

        let open = try await HTTPProbe.get(port: endpoint.server.port, "/metrics?x=1", accept: "application/openmetrics-text;version=1.0.0")
        #expect(open.status == 200)
        #expect(open.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(open.body.contains("# TYPE probe_events counter\n"))
        #expect(open.body.hasSuffix("# EOF\n"))
    }

    @Test func headGetsTheHeadersOfGetWithoutABody() async throws {
        let endpoint = try Self.endpoint()
        defer { endpoint.close() }
        let get = try await HTTPProbe.get(port: endpoint.server.port, "/metrics")
        let head = try await HTTPProbe.get(port: endpoint.server.port, "/metrics", method: "HEAD")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.headers["content-length"] == String(get.body.utf8.count))
        #expect(head.headers["content-type"] == get.headers["content-type"])
    }

    @Test func otherPathsMethodsAndMalformedRequestsGetTheirStatus() async throws {
        let endpoint = try Self.endpoint()
        defer { endpoint.close() }
        let port = endpoint.server.port
        #expect(try await HTTPProbe.get(port: port, "/nope").status == 404)
        #expect(try await HTTPProbe.get(port: port, "/").status == 200)
        let post = try await HTTPProbe.get(port: port, "/metrics", method: "POST")
        #expect(post.status == 405)
        #expect(post.headers["allow"] == "GET, HEAD")
        #expect(try await HTTPProbe.exchange(port: port, Array("hello there\r\n\r\n".utf8)).status == 400)
        #expect(try await HTTPProbe.exchange(port: port, Array("GET metrics HTTP/1.1\r\n\r\n".utf8)).status == 400)
        let huge = "GET /metrics HTTP/1.1\r\nX-Filler: " + String(repeating: "x", count: 20_000) + "\r\n\r\n"
        #expect(try await HTTPProbe.exchange(port: port, Array(huge.utf8)).status == 431)
        // Still serving after all that.
        #expect(try await HTTPProbe.get(port: port, "/metrics").status == 200)
    }

    @Test func aTakenPortOrAMalformedAddressIsAClearError() throws {
        let first = try Self.endpoint()
        defer { first.close() }
        let taken = "127.0.0.1:\(first.server.port)"
        let error = #expect(throws: MetricsHTTPServerError.self) {
            _ = try MetricsHTTPServer(listen: taken) { _ in .text(200, "") }
        }
        #expect(error?.description == "cannot listen on \(taken): Address already in use")
        let malformed = #expect(throws: MetricsHTTPServerError.self) {
            _ = try MetricsHTTPServer(listen: "localhost") { _ in .text(200, "") }
        }
        #expect(malformed?.description == "cannot listen on localhost: expected HOST:PORT, e.g. 127.0.0.1:9464")
        #expect(throws: MetricsHTTPServerError.self) {
            _ = try MetricsHTTPServer(listen: "127.0.0.1:99999") { _ in .text(200, "") }
        }
    }

    @Test func aHandlerPastItsTimeoutIsCancelledAndItsClientGets503() async throws {
        let cancelled = Mutex(false)
        // Long enough that the quick handler after it finishes in time however loaded the machine.
        let server = try MetricsHTTPServer(listen: "127.0.0.1:0", handlerTimeout: .seconds(2)) { request in
            if request.path == "/slow" {
                // Stands for a read that hangs; ends when the server cancels it.
                try? await Task.sleep(for: .seconds(60))
                cancelled.withLock { $0 = Task.isCancelled }
            }
            return .text(200, "fine\n")
        }
        defer { server.close() }
        let slow = try await HTTPProbe.get(port: server.port, "/slow")
        #expect(slow.status == 503)
        let next = try await HTTPProbe.get(port: server.port, "/metrics")
        #expect(next.status == 200)
        #expect(cancelled.withLock { $0 })
    }

    /// The one-line bootstrap: MarketCore's swift-metrics series reach the endpoint. (The only test
    /// in this process that bootstraps swift-metrics, which is once per process.)
    @Test func theOneLineBootstrapServesMarketCoreSwiftMetricsAndPoolGauges() async throws {
        let environment = ProcessInfo.processInfo.environment
        let pools = try environment["DATABASE_URL"].map { ["uow": PostgresPool(configuration: try PostgresConfiguration(url: $0), label: "probe")] } ?? [:]
        let endpoint = try PrometheusEndpoint.bootstrap(listen: "127.0.0.1:0", pools: pools)
        defer { endpoint.close() }
        let recorder = StatsRecorder(redis: nil, namespace: "bootstrap-probe:")
        recorder.recordUnitOfWork(operation: "probe.op", outcome: .commit, duration: .milliseconds(3))
        recorder.recordUnitOfWork(operation: "probe.op", outcome: .rollback(.conflict), duration: .milliseconds(4))
        let body = try await HTTPProbe.get(port: endpoint.server.port, "/metrics").body
        #expect(body.contains(#"market_uow_total{operation="probe.op",outcome="commit"} 1"#))
        #expect(body.contains(#"market_uow_total{operation="probe.op",outcome="rollback",reason="conflict"} 1"#))
        #expect(body.contains(#"market_uow_duration_count{operation="probe.op"} 2"#))
        if let pool = pools["uow"] {
            _ = try await pool.simpleQuery("SELECT 1")
            let afterQuery = try await HTTPProbe.get(port: endpoint.server.port, "/metrics").body
            #expect(afterQuery.contains(#"market_pool_connections{pool="uow",state="idle"} 1.0"#))
            #expect(afterQuery.contains(#"market_pool_waiting{pool="uow"} 0.0"#))
            await pool.close()
        }
    }
}
