import MarketCore

/// Which of the market's logins a command connects as. On external servers it is always
/// DATABASE_URL's; on the embedded default each has its own, all reachable only by the owner.
enum ConnectionLogin {
    /// The person at the keyboard: their own login, whose group is their role.
    case `operator`
    /// The market's own traffic (`simulate`): `market_service`, which writes the market.
    case traffic
    /// The reconciler (`reconcile`): `market_reconciler_service`, which settles on gateway evidence only.
    case reconciler
    /// The schema's owner (`migrate`, benchmarks that make schemas of their own).
    case schemaOwner
}

/// Resolves the servers (flags, environment or the embedded default), connects, runs `body`, and
/// shuts down what it opened and stops what it started on every path. Errors become one line on
/// stderr and a non-zero exit (see ``reportingErrors(_:)``).
///
/// - Parameters:
///   - login: which login to connect as (see ``ConnectionLogin``).
///   - clients: at least this many pooled connections (benchmarks and the simulator).
///   - migrate: apply pending migrations while connecting.
///   - configure: last changes to the configuration (a benchmark's own schema and namespace).
///   - progress: where the connection steps are reported.
///   - body: gets the services and whether they run on the embedded servers.
func withConnectedServices<T>(_ connection: ConnectionOptions, as login: ConnectionLogin = .operator, clients: Int = 0, migrate: Bool = true,
                              configure: (inout MarketConfiguration) -> Void = { _ in },
                              progress: @escaping @Sendable (String) -> Void = { print($0) },
                              _ body: (MarketServices, _ embedded: Bool) async throws -> T) async throws -> T {
    try await reportingErrors {
        var (configuration, embedded) = try await connection.resolve(progress: progress)
        defer {
            if let embedded {
                progress("stopping the embedded servers…")
                embedded.stop()
            }
        }
        switch login {
        case .operator: break
        case .traffic:
            configuration.database = configuration.trafficDatabase ?? configuration.database
            configuration.readDatabase = nil  // the market's traffic reads what it is about to write
        case .reconciler:
            configuration.database = configuration.reconcilerDatabase ?? configuration.database
            configuration.readDatabase = nil  // it settles on what the primary holds, not a standby's past
        case .schemaOwner:
            configuration.readDatabase = nil
            if let embedded { configuration.database = try PostgresConfiguration(url: embedded.setupDatabaseURL) }
        }
        configuration.database.maxConnections = max(configuration.database.maxConnections, clients)
        configure(&configuration)
        let services = try await MarketServices.connect(configuration, migrate: migrate, progress: progress)
        do {
            let result = try await body(services, embedded != nil)
            await services.shutdown()
            return result
        } catch {
            await services.shutdown()
            throw error
        }
    }
}
