import ArgumentParser
import Foundation
import Views

/// The `market-console` executable: the operator console and its headless commands.
@main
struct MarketConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market-console",
        abstract: "Operator console for the gift, channel and auction market.",
        discussion: """
            With no DATABASE_URL and REDIS_URL (or --database-url / --redis-url) the console runs its own \
            PostgreSQL and Redis in a state directory, reachable by your OS user only, and reuses them on the next start.

            Who acts is the PostgreSQL login DATABASE_URL authenticates, never a flag; its role is the group it is \
            granted (market_viewer, market_oncall, market_moderator, market_admin; none: viewer). The database \
            checks every action's role and the two-person rule, and writes the audit (see `operators --help`).
            """,
        version: "\(releaseVersion) (commit \(buildCommit))",
        subcommands: [RunCommand.self, SnapshotCommand.self, ActionCommand.self, OperatorsCommand.self, MigrateCommand.self, SimulateCommand.self,
                      ReconcileCommand.self, CheckCommand.self, ExporterCommand.self, BenchCommand.self],
        defaultSubcommand: RunCommand.self
    )

    /// The release this source tree is; the commit comes from the build (see Plugins/BuildInfo).
    static let releaseVersion = "0.1.0"

    static func main() async {
        // Progress lines of long commands should reach a pipe or a CI log as they happen.
        Terminal.lineBufferStandardOutput()
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            // --help and --version print to stdout and succeed.
            let code = exitCode(for: error)
            guard code != .success else { exit(withError: error) }
            // An error may echo a name from the data or the command line: shown, never obeyed.
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((TerminalText.sanitizedLines(message) + "\n").utf8)) }
            // Every kind of bad usage exits 2, the status scripts test for (ArgumentParser says 64).
            Foundation.exit(code == .validationFailure ? UsageError.exitStatus : code.rawValue)
        }
    }
}
