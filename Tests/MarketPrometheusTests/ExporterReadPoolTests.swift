import Foundation
import MarketCore
import MarketPrometheus
import Testing

/// With a read URL the exporter says whether its server answers and is a standby, and its lag.
@Suite("Exporter and the read pool")
struct ExporterReadPoolTests {
    @Test func aReadURLOnAPrimaryIsUpAndNotAStandby() async throws {
        // prefer-standby finding no standby reads the primary: so does a read URL naming the primary.
        guard let text = try await scrape(readFromPrimary: true) else { return }
        #expect(text.contains(#"market_up{server="read-pool"} 1.0"#), "\(text.prefix(2000))")
        #expect(text.contains("market_read_pool_is_standby 0.0"))
        #expect(!text.contains("market_standby_replay_lag_seconds "), "a primary has no replay lag")
    }

    @Test func withoutAReadURLThereIsNoReadPoolSeries() async throws {
        guard let text = try await scrape(readFromPrimary: false) else { return }
        #expect(text.contains(#"market_up{server="postgres"} 1.0"#))
        #expect(!text.contains("read-pool"))
        #expect(!text.contains("market_read_pool_is_standby"))
    }

    /// One scrape over a fresh schema of the test servers, with or without a read URL (the primary's).
    private func scrape(readFromPrimary: Bool) async throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard let databaseURL = environment["DATABASE_URL"], let redisURL = environment["REDIS_URL"] else {
            Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
            return nil
        }
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var configuration = try MarketConfiguration(databaseURL: databaseURL, redisURL: redisURL)
        configuration.database.schema = "exporter_read_\(tag)"
        if readFromPrimary { configuration.readDatabase = configuration.database }
        configuration.redis?.namespace = "exporter-read-\(tag):"
        let services = try await MarketServices.connect(configuration, migrate: true, progress: { _ in })
        let text = String(decoding: await MarketExporter(services: services).scrape(.prometheusText), as: UTF8.self)
        _ = try await services.pool.simpleQuery("DROP SCHEMA \(Migrator.quoteIdentifier(configuration.database.schema!)) CASCADE")
        await services.shutdown()
        return text
    }
}
