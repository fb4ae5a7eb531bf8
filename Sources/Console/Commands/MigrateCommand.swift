import ArgumentParser
import MarketCore

/// `market-console migrate`: applies the schema's migrations; running it again changes nothing.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply the database schema migrations.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await withConnectedServices(connection, migrate: false) { services, _ in
            let applied = try await Migrator(pool: services.pool).migrate { print($0) }
            print(applied.isEmpty ? "schema is up to date (version \(Migrator.latestVersion))"
                                  : "applied \(applied.count) migration(s); schema at version \(Migrator.latestVersion)")
        }
    }
}
