import Foundation
import MarketCore

/// Databases of a test's own on the test servers (`scripts/test.sh` starts them).
public enum TestDatabase {
    /// Creates the empty database `name` on the server `url` names (as `url`'s user); its URL.
    public static func create(named name: String, from url: String) async throws -> String {
        guard var components = URLComponents(string: url) else {
            throw PostgresError(code: .invalidConfiguration, message: "not a PostgreSQL URL: \(url)")
        }
        let pool = PostgresPool(configuration: try PostgresConfiguration(url: url), label: "test-database-admin")
        do {
            _ = try await pool.simpleQuery("CREATE DATABASE \(Migrator.quoteIdentifier(name))")
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
        components.path = "/" + name
        guard let created = components.string else {
            throw PostgresError(code: .invalidConfiguration, message: "cannot name database \(name) in \(url)")
        }
        return created
    }
}
