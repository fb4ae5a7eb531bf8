import ArgumentParser
import Foundation
import MarketCore
import MarketEmbedded

extension LockFallbackPolicy: ExpressibleByArgument {}

/// Where the servers are: flags, then the environment, then the embedded default.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("PostgreSQL libpq URI (default: $DATABASE_URL, else embedded servers).",
                               discussion: "Keep passwords out of argv: put them in DATABASE_URL or ~/.pgpass."))
    var databaseURL: String?

    @Option(help: ArgumentHelp("PostgreSQL libpq URI for the console's and snapshot's page reads and counts: a standby, "
                               + "or target_session_attrs=prefer-standby (default: $DATABASE_READ_URL, else the database URL).",
                               discussion: "Actions, probes and lock waits stay on the database URL."))
    var databaseReadURL: String?

    @Option(help: "Redis URL redis://host:port/db, or redis-sentinel://host:port,host:port/db#master under Sentinel, whose own password comes from $REDIS_SENTINEL_PASSWORD (default: $REDIS_URL, else embedded servers).")
    var redisURL: String?

    @Option(help: "Prefix of every Redis key (default: $REDIS_NAMESPACE, else mc:); markets sharing a Redis need their own.")
    var redisNamespace: String?

    @Option(help: "Where the embedded servers keep their data (default: \(EmbeddedServers.defaultStateDirectory)).")
    var stateDir: String?

    @Option(help: "When Redis is unreachable: advisory (PostgreSQL advisory locks), fail-closed, or noop.")
    var lockPolicy: LockFallbackPolicy = .advisory

    /// The configuration to connect with, and the embedded servers when they were started for it.
    func resolve(progress: @escaping @Sendable (String) -> Void) async throws -> (MarketConfiguration, EmbeddedServers?) {
        let variables = ["--database-url": "DATABASE_URL", "--database-read-url": "DATABASE_READ_URL", "--redis-url": "REDIS_URL"]
        for (flag, value) in [("--database-url", databaseURL), ("--database-read-url", databaseReadURL), ("--redis-url", redisURL)] {
            if let value, Self.carriesPassword(value) {
                throw UsageError("\(flag) carries a password, which would be visible in the process list; "
                                 + "pass the URL in \(variables[flag] ?? flag) instead")
            }
        }
        let environment = ProcessInfo.processInfo.environment
        let database = databaseURL ?? environment["DATABASE_URL"]
        let redis = redisURL ?? environment["REDIS_URL"]
        let readDatabase = databaseReadURL ?? environment["DATABASE_READ_URL"]
        if readDatabase != nil && database == nil {
            throw UsageError("a read URL (DATABASE_READ_URL or --database-read-url) needs the database URL too")
        }
        switch (database, redis) {
        case let (database?, redis?):
            var configuration: MarketConfiguration
            do {
                configuration = try MarketConfiguration(databaseURL: database, redisURL: redis,
                                                        sentinelPassword: environment[Self.sentinelPasswordVariable])
                configuration.readDatabase = try readDatabase.map { try PostgresConfiguration(url: $0) }
            } catch {
                throw UsageError("\(error)")  // a URL that does not parse is bad usage, like a bad flag
            }
            configuration.lockPolicy = lockPolicy
            if let namespace = redisNamespace ?? environment["REDIS_NAMESPACE"] { configuration.redis?.namespace = namespace }
            return (configuration, nil)
        case (nil, nil):
            _ = try OperatorMarket.twoPersonActions(environment[OperatorMarket.twoPersonVariable])  // bad usage before any start
            let directory = stateDir ?? EmbeddedServers.defaultStateDirectory
            let servers = try await offThePool { try EmbeddedServers.start(stateDirectory: directory, progress: progress) }
            do {
                try await servers.prepareMarket(progress: progress)
                var configuration = try MarketConfiguration(databaseURL: servers.databaseURL, redisURL: servers.redisURL)
                configuration.trafficDatabase = try PostgresConfiguration(url: servers.trafficDatabaseURL)
                configuration.reconcilerDatabase = try PostgresConfiguration(url: servers.reconcilerDatabaseURL)
                configuration.lockPolicy = lockPolicy
                return (configuration, servers)
            } catch {
                servers.stop()
                throw error
            }
        default:
            throw UsageError("set both the database and the Redis URL (DATABASE_URL and REDIS_URL, or the flags), "
                             + "or neither to use the embedded servers")
        }
    }

    /// The sentinels' own password (`requirepass` in sentinel.conf), read from the environment
    /// only: a secret never goes on the command line.
    static let sentinelPasswordVariable = "REDIS_SENTINEL_PASSWORD"

    static func carriesPassword(_ url: String) -> Bool {
        guard let components = URLComponents(string: url) else { return url.contains("password=") }
        return !(components.password ?? "").isEmpty || (components.query ?? "").contains("password=")
    }
}

/// Runs `work` and turns any error into one line on stderr and a non-zero exit, never a stack trace:
/// 2 for bad usage, 4 when PostgreSQL or Redis cannot be reached (see ``ServersUnavailable``), 1 otherwise.
func reportingErrors<T>(_ work: () async throws -> T) async throws -> T {
    do {
        return try await work()
    } catch let error as ExitCode {
        throw error
    } catch let error as UsageError {
        FileHandle.standardError.write(Data("market-console: \(error)\n".utf8))
        throw ExitCode(UsageError.exitStatus)
    } catch let error as RedisError where error.code == .refused {
        // Redis answered and refused this configuration (password, database, master name): as bad usage.
        FileHandle.standardError.write(Data("market-console: \(error)\n".utf8))
        throw ExitCode(UsageError.exitStatus)
    } catch {
        FileHandle.standardError.write(Data("market-console: \(error)\n".utf8))
        throw ExitCode(ServersUnavailable.matches(error) ? ServersUnavailable.exitStatus : 1)
    }
}

/// A command line that cannot work as given: one line on stderr, exit status 2.
struct UsageError: Error, CustomStringConvertible {
    /// The exit status of every kind of bad usage.
    static let exitStatus: Int32 = 2
    let description: String
    init(_ description: String) { self.description = description }
}
