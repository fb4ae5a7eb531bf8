import MarketCore

/// Connects like ``withConnectedServices(_:clients:migrate:configure:progress:_:)`` but in a schema and
/// Redis namespace of the benchmark's own (`bench_NAME_TAG`), dropped afterwards on every path: a
/// benchmark neither reads nor leaves rows in the market's tables, and every run starts alike.
func withBenchmarkSchema<T>(_ connection: ConnectionOptions, name: String, clients: Int = 0,
                            _ body: (MarketServices) async throws -> T) async throws -> T {
    let tag = randomRunTag()
    return try await withConnectedServices(connection, as: .schemaOwner, clients: clients, configure: { configuration in
        configuration.database.schema = "bench_\(name)_\(tag)"
        configuration.redis?.namespace += "bench:\(name):\(tag):"
    }) { services, _ in
        do {
            let result = try await body(services)
            try await dropBenchmarkSchema(services)
            return result
        } catch {
            try? await dropBenchmarkSchema(services)
            throw error
        }
    }
}

/// Drops the benchmark's schema; its Redis locks expire with their TTL.
private func dropBenchmarkSchema(_ services: MarketServices) async throws {
    guard let schema = services.configuration.database.schema else { return }
    print("dropping schema \(schema)…")
    _ = try await services.pool.simpleQuery("DROP SCHEMA \(Migrator.quoteIdentifier(schema)) CASCADE")
}
