import ArgumentParser

/// The `market-console` executable: the operator console and its headless commands.
@main
struct MarketConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "market-console",
        abstract: "Operator console for the gift, channel and auction market.",
        discussion: """
            With no DATABASE_URL and REDIS_URL (or --database-url / --redis-url) the console runs its own
            PostgreSQL and Redis in a state directory and reuses them on the next start.
            """,
        subcommands: [RunCommand.self, SnapshotCommand.self, MigrateCommand.self, SimulateCommand.self, CheckCommand.self, BenchCommand.self],
        defaultSubcommand: RunCommand.self
    )

    static func main() async {
        // Progress lines of long commands should reach a pipe or a CI log as they happen.
        Terminal.lineBufferStandardOutput()
        await main(nil)
    }
}
