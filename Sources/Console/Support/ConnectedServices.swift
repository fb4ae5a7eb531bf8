import MarketCore

/// Resolves the servers (flags, environment or the embedded default), connects, runs `body`, and
/// shuts down what it opened and stops what it started on every path. Errors become one line on
/// stderr and a non-zero exit (see ``reportingErrors(_:)``).
///
/// - Parameters:
///   - clients: at least this many pooled connections (benchmarks and the simulator).
///   - migrate: apply pending migrations while connecting.
///   - configure: last changes to the configuration (a benchmark's own schema and namespace).
///   - progress: where the connection steps are reported.
///   - body: gets the services and whether they run on the embedded servers.
func withConnectedServices<T>(_ connection: ConnectionOptions, clients: Int = 0, migrate: Bool = true,
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
