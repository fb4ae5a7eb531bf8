import Foundation
@testable import MarketCore

/// The real PostgreSQL and Redis that `scripts/test.sh` starts, each test in its own schema and
/// Redis key namespace so tests run in parallel without seeing each other's rows or keys.
enum TestServers {
    struct MissingServers: Error, CustomStringConvertible {
        var description: String {
            "DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh, which starts the servers"
        }
    }

    static func urls() throws -> (database: String, redis: String) {
        let environment = ProcessInfo.processInfo.environment
        guard let database = environment["DATABASE_URL"], let redis = environment["REDIS_URL"] else {
            throw MissingServers()
        }
        return (database, redis)
    }

    /// A unique lowercase name for a schema or namespace.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(randomHex(bytes: 6))"
    }

    /// A configuration pointing at a fresh schema and Redis namespace.
    static func configuration(redisURL: String? = nil, maxConnections: Int = 16,
                              policy: LockFallbackPolicy = .advisory) throws -> MarketConfiguration {
        let urls = try urls()
        var configuration = try MarketConfiguration(databaseURL: urls.database, redisURL: redisURL ?? urls.redis)
        let name = uniqueName("t")
        configuration.database.schema = name
        configuration.database.maxConnections = maxConnections
        configuration.redis?.namespace = "\(name):"
        configuration.lockPolicy = policy
        return configuration
    }

    /// Connected, migrated services in a fresh schema; shut down and dropped after `body`.
    static func withServices<T>(redisURL: String? = nil, maxConnections: Int = 16, policy: LockFallbackPolicy = .advisory,
                                _ body: (MarketServices) async throws -> T) async throws -> T {
        let configuration = try configuration(redisURL: redisURL, maxConnections: maxConnections, policy: policy)
        let services = try await MarketServices.connect(configuration)
        do {
            let result = try await body(services)
            await teardown(services)
            return result
        } catch {
            await teardown(services)
            throw error
        }
    }

    static func teardown(_ services: MarketServices) async {
        let schema = services.configuration.database.schema!
        await services.shutdown()
        var admin = services.configuration.database
        admin.schema = nil
        let pool = PostgresPool(configuration: admin)
        _ = try? await pool.simpleQuery("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        await pool.close()
    }
}
