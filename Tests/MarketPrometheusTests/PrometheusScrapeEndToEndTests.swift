import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import TestSupport
import Testing

/// The real thing: `market-console exporter` over a fresh market with the simulator's traffic
/// running, scraped every second by Debian's `prometheus` server; the test reads Prometheus' HTTP
/// API as a dashboard would, and `promtool check metrics` lints a scrape.
@Suite("Prometheus scrapes the exporter", .serialized)
struct PrometheusScrapeEndToEndTests {
    @Test func prometheusSeesTheBidCommitCounterRiseAndTheLockAndPendingSeries() async throws {
        try await HeavyTestGate.run {
            let environment = ProcessInfo.processInfo.environment
            guard let baseDatabase = environment["DATABASE_URL"], let redis = environment["REDIS_URL"] else {
                Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
                return
            }
            let binary = try Self.executable("market-console", besideTests: true)
            let prometheus = try Self.executable("prometheus", besideTests: false)
            let promtool = try Self.executable("promtool", besideTests: false)

            let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let database = try await TestDatabase.create(named: "prom_\(tag)", from: baseDatabase)
            var configuration = try MarketConfiguration(databaseURL: database, redisURL: redis)
            configuration.redis?.namespace = "prom:\(tag):"
            let services = try await MarketServices.connect(configuration)  // migrates the new database
            await services.shutdown()

            let marketEnvironment = ["DATABASE_URL": database, "REDIS_URL": redis, "REDIS_NAMESPACE": "prom:\(tag):"]
            let traffic = try ChildProcessRunner.launch(binary, ["simulate", "--clients", "4", "--duration", "120", "--users", "200"],
                                                        environment: marketEnvironment)
            defer { ChildProcessRunner.stop(traffic) }
            let exporterPort = try #require(EmbeddedFreePort.pick())
            let exporter = try ChildProcessRunner.launch(binary, ["exporter", "--listen", "127.0.0.1:\(exporterPort)"],
                                                         environment: marketEnvironment)
            defer { ChildProcessRunner.stop(exporter) }

            // The exporter answers 503 while it connects, then 200.
            let scrape = try await Self.poll("the exporter to serve /metrics") {
                let reply = try? await HTTPProbe.get(port: exporterPort, "/metrics")
                return reply?.status == 200 ? reply : nil
            }
            #expect(scrape.body.contains(#"market_up{server="postgres"} 1.0"#))
            #expect(scrape.body.contains(#"market_lock_mode{mode="redis"} 1.0"#))

            // promtool lints a scrape in the text format.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("market-prometheus-\(tag)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let scrapeFile = directory.appendingPathComponent("scrape.txt")
            try Data(scrape.body.utf8).write(to: scrapeFile)
            let lint = ChildProcessRunner.run("/bin/sh", ["-c", "exec \"$0\" check metrics < \"$1\"", promtool, scrapeFile.path], timeout: 30)
            #expect(lint.succeeded, "promtool check metrics: \(lint.output)")

            // Prometheus, scraping every second.
            let prometheusPort = try #require(EmbeddedFreePort.pick(avoiding: [exporterPort]))
            let config = directory.appendingPathComponent("prometheus.yml")
            try """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: market-exporter
                    static_configs:
                      - targets: ["127.0.0.1:\(exporterPort)"]
                """.write(to: config, atomically: true, encoding: .utf8)
            let server = try ChildProcessRunner.launch(prometheus, [
                "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
            ])
            defer { ChildProcessRunner.stop(server) }

            // The bid commit counter, as Prometheus stored it: seen, then seen higher.
            let bids = #"market_uow_commits_total{job="market-exporter",operation="auction.bid"}"#
            let first = try await Self.poll("Prometheus to have the auction.bid commit counter") {
                try? await Self.query(bids, port: prometheusPort).first?.value
            }
            let risen = try await Self.poll("the auction.bid commit counter to rise above \(first)") {
                let value = try? await Self.query(bids, port: prometheusPort).first?.value
                return value.flatMap { $0 > first ? $0 : nil }
            }
            #expect(risen > first)

            // Lock and pending series with their labels, and the exporter's own health.
            let acquired = try await Self.poll("the auction:bid lock series") {
                try? await Self.query(#"market_lock_acquired_total{prefix="auction:bid"}"#, port: prometheusPort).first
            }
            #expect(acquired.labels["job"] == "market-exporter")
            #expect(acquired.value > 0)
            let waits = try await Self.query(#"market_lock_wait_seconds_count{prefix="auction:bid"}"#, port: prometheusPort)
            #expect(waits.count == 1)
            let refused = try await Self.query(#"market_lock_fences_refused_total{prefix="auction:bid"}"#, port: prometheusPort)
            #expect(refused.count == 1)
            let pending = try await Self.query("market_pending_channel_transfers", port: prometheusPort)
            #expect(Set(pending.compactMap { $0.labels["older_than_seconds"] }) == Set(PostgresHealth.pendingAgeThresholds.map(String.init)))
            let withdrawals = try await Self.query(#"market_pending_withdrawals{older_than_seconds="240"}"#, port: prometheusPort)
            #expect(withdrawals.count == 1)
            let up = try await Self.query(#"up{job="market-exporter"}"#, port: prometheusPort)
            #expect(up.first?.value == 1)
            let mode = try await Self.query(#"market_lock_mode{mode="redis"}"#, port: prometheusPort)
            #expect(mode.first?.value == 1)
        }
    }

    // MARK: - Helpers

    struct Sample {
        var labels: [String: String]
        var value: Double
    }

    /// An instant query against Prometheus' HTTP API.
    static func query(_ promql: String, port: Int) async throws -> [Sample] {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&+=")
        let encoded = try #require(promql.addingPercentEncoding(withAllowedCharacters: allowed))
        let reply = try await HTTPProbe.get(port: port, "/api/v1/query?query=\(encoded)")
        guard reply.status == 200,
              let document = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any],
              let data = document["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw HTTPProbe.Failure(description: "query \(promql): \(reply.status) \(reply.body)")
        }
        return result.compactMap { entry in
            guard let labels = entry["metric"] as? [String: String], let value = entry["value"] as? [Any],
                  value.count == 2, let text = value[1] as? String, let number = Double(text) else { return nil }
            return Sample(labels: labels, value: number)
        }
    }

    /// `probe`'s first non-nil answer, asked every 250 ms for at most 90 s.
    static func poll<T>(_ what: String, _ probe: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if let value = try await probe() { return value }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw HTTPProbe.Failure(description: "timed out waiting for \(what)")
    }

    /// The executable `name`: built beside this test bundle, or installed (found as the embedded servers find theirs).
    static func executable(_ name: String, besideTests: Bool) throws -> String {
        if besideTests {
            var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
            for _ in 0..<4 {
                let candidate = directory.appendingPathComponent(name).path
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
            throw HTTPProbe.Failure(description: "\(name) is not built: run `swift build --product \(name)` before the tests")
        }
        if let installed = EmbeddedExecutables.find(name) { return installed }
        throw HTTPProbe.Failure(description: "\(name) is not installed: run scripts/install-deps.sh")
    }
}
