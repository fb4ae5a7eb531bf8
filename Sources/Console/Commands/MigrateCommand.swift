import ArgumentParser
import MarketCore

/// `market-console migrate`: applies the schema's migrations; running it again changes nothing.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply the database schema migrations.")

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await reportingErrors {
            let (configuration, embedded) = try await connection.resolve { print($0) }
            defer { embedded?.stop() }
            let services = try await MarketServices.connect(configuration, migrate: false) { print($0) }
            do {
                let applied = try await Migrator(pool: services.pool).migrate { print($0) }
                print(applied.isEmpty ? "schema is up to date (version \(Migrator.latestVersion))"
                                      : "applied \(applied.count) migration(s); schema at version \(Migrator.latestVersion)")
                await services.shutdown()
            } catch {
                await services.shutdown()
                throw error
            }
        }
    }
}
