import Foundation
import Testing
@testable import Console
@testable import MarketCore

/// Services on the test servers (`scripts/test.sh`) in a schema and a Redis namespace of their own,
/// with a dashboard fetcher; the schema is dropped afterwards.
enum IsolatedMarket {
    /// Runs `body`, or records an issue when the test servers' URLs are not set.
    static func withFetcher(_ prefix: String, _ body: (MarketServices, DashboardFetcher) async throws -> Void) async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let database = environment["DATABASE_URL"], let redis = environment["REDIS_URL"] else {
            Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
            return
        }
        let schema = "\(prefix)_\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        var configuration = try MarketConfiguration(databaseURL: database, redisURL: redis)
        configuration.database.schema = schema
        configuration.redis?.namespace = "\(schema):"
        let services = try await MarketServices.connect(configuration)
        do {
            try await body(services, DashboardFetcher(market: try OperatorMarket.make(services), readsOperatorRole: false))
        } catch {
            await drop(schema, services)
            throw error
        }
        await drop(schema, services)
    }

    private static func drop(_ schema: String, _ services: MarketServices) async {
        _ = try? await services.pool.simpleQuery("DROP SCHEMA \(Migrator.quoteIdentifier(schema)) CASCADE")
        await services.shutdown()
    }
}
