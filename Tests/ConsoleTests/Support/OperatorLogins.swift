import Foundation
@testable import MarketCore

/// Operator logins for the console's end-to-end tests: real PostgreSQL logins (cluster-wide, so
/// named after the test's tag), made by the test servers' superuser, and the URL to act as one.
enum OperatorLogins {
    /// Creates login `name` granted `role` (none: a login in no group, a viewer).
    static func create(_ name: String, role: OperatorRole?, in services: MarketServices) async throws {
        let quoted = Migrator.quoteIdentifier(name)
        _ = try await services.pool.query(PostgresQuery(unsafeSQL: "DROP ROLE IF EXISTS \(quoted)"))
        _ = try await services.pool.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(quoted) LOGIN"))
        if let role {
            _ = try await services.pool.query(PostgresQuery(unsafeSQL: "GRANT \(role.groupRole) TO \(quoted)"))
        }
    }

    /// Drops the logins (after their consoles have gone).
    static func drop(_ names: [String], in services: MarketServices) async {
        for name in names {
            _ = try? await services.pool.query(PostgresQuery(unsafeSQL: "DROP ROLE IF EXISTS \(Migrator.quoteIdentifier(name))"))
        }
    }

    /// `url` connecting as `login` (the test servers trust every local login).
    static func url(_ url: String, as login: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw MarketError(.invalidArgument, "test: bad URL \(url)") }
        components.user = login
        guard let replaced = components.string else { throw MarketError(.invalidArgument, "test: bad URL \(url)") }
        return replaced
    }
}
