import ArgumentParser
import Foundation
import MarketCore

/// `market-console migrate`: applies the schema's migrations; running it again changes nothing.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply the database schema migrations.",
        discussion: """
            Run it as the login that will own the schema (a superuser, or a login with CREATEROLE: it creates the \
            group roles market_viewer, market_oncall, market_moderator, market_admin, market_app and market_audit). \
            That login may then add the first admin (operators add LOGIN --role admin). With \
            \(OperatorMarket.twoPersonVariable) set, it also writes the actions under the two-person rule into the \
            database, which enforces them.
            """)

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let twoPersonActions = try await reportingErrors {
            try OperatorMarket.twoPersonActions(ProcessInfo.processInfo.environment[OperatorMarket.twoPersonVariable])
        }
        try await withConnectedServices(connection, as: .schemaOwner, migrate: false) { services, _ in
            let applied = try await Migrator(pool: services.pool).migrate { print($0) }
            print(applied.isEmpty ? "schema is up to date (version \(Migrator.latestVersion))"
                                  : "applied \(applied.count) migration(s); schema at version \(Migrator.latestVersion)")
            if let twoPersonActions {
                try await OperatorMarket.make(services).setTwoPersonActions(twoPersonActions)
                print("two-person rule: " + (twoPersonActions.isEmpty ? "none"
                                              : twoPersonActions.map(\.rawValue).sorted().joined(separator: ", ")))
            }
        }
    }
}
