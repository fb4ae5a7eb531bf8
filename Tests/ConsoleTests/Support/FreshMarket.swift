import Foundation
@testable import MarketCore
@testable import MarketEmbedded
@testable import MarketSimulation
import Testing
import TestSupport

/// A market of one test's own for the console's end-to-end tests: a new database on the test
/// servers (migrated, connected as their superuser), a Redis namespace of its own, and what the
/// `market-console` binary needs to reach them, as a script or in tmux.
///
/// ```swift
/// try await FreshMarket.with("snap") { fresh in
///     let seller = try await fresh.user("seller")
///     let result = try await fresh.run(["snapshot", "--view", "auctions", "--json"])
/// }
/// ```
struct FreshMarket {
    let services: MarketServices
    /// The market over ``services``, with the gateways the test asked for.
    let market: Market
    /// The new database's URL, as the test servers' superuser.
    let database: String
    /// The test servers' Redis URL (the namespace keeps this market apart).
    let redis: String
    /// `prefix:tag:`, the Redis namespace of this market.
    let namespace: String
    /// Unique to this test: login names carry it, since logins are cluster-wide.
    let tag: String

    /// Runs `body` against a new database `prefix_<tag>` and the Redis namespace `prefix:<tag>:`; the
    /// connections close on every path. Records an issue when the test servers' URLs are not set.
    /// `gateways` default to the simulator's.
    static func with(_ prefix: String, gateways: Gateways? = nil, _ body: (FreshMarket) async throws -> Void) async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let baseDatabase = environment["DATABASE_URL"], let redis = environment["REDIS_URL"] else {
            Issue.record("DATABASE_URL and REDIS_URL are not set: run the tests with scripts/test.sh")
            return
        }
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let namespace = "\(prefix):\(tag):"
        let database = try await TestDatabase.create(named: "\(prefix)_\(tag)", from: baseDatabase)
        var configuration = try MarketConfiguration(databaseURL: database, redisURL: redis)
        configuration.redis?.namespace = namespace
        let services = try await MarketServices.connect(configuration)
        let fresh = FreshMarket(services: services,
                                market: Market(services: services, gateways: gateways ?? MarketSimulator.gateways(for: SimulationConfiguration())),
                                database: database, redis: redis, namespace: namespace, tag: tag)
        do {
            try await body(fresh)
            await services.shutdown()
        } catch {
            await services.shutdown()
            throw error
        }
    }

    /// The environment a `market-console` child needs to reach this market, connecting to
    /// PostgreSQL as `login` (the superuser when nil).
    func environment(as login: String? = nil) throws -> [String: String] {
        ["DATABASE_URL": try login.map { try OperatorLogins.url(database, as: $0) } ?? database,
         "REDIS_URL": redis, "REDIS_NAMESPACE": namespace]
    }

    /// Runs `market-console arguments` to its end, as `login`, with `overrides` laid over the environment.
    func run(_ arguments: [String], as login: String? = nil, overrides: [String: String] = [:]) async throws -> ChildProcessResult {
        try await ConsoleProcess.run(arguments, environment: environment(as: login).merging(overrides) { $1 })
    }

    /// The interactive console run as `login` in tmux, with no config file of the operator's; its
    /// log goes to /tmp/market-console-<namespace>-<logName>.log.
    func console(as login: String? = nil, logName: String, overrides: [String: String] = [:],
                 width: Int = 120, height: Int = 40) throws -> TmuxSession {
        let terminal = ["TERM": "xterm-256color", "LANG": "C.UTF-8", "XDG_CONFIG_HOME": "/nonexistent"]
        return try TmuxSession(command: [try ConsoleEndToEndTests.consoleBinary(), "--refresh", "0.5",
                                         "--log-file", "/tmp/market-console-\(namespace.dropLast())-\(logName).log"],
                               environment: try environment(as: login).merging(terminal) { $1 }.merging(overrides) { $1 },
                               width: width, height: height)
    }

    /// A new user named `name`; its id.
    func user(_ name: String) async throws -> Int64 {
        try await ConsoleEndToEndTests.user(name, in: services)
    }
}
