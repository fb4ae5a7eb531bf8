import MarketCore
import Views

/// Gathers the status screen's data from the servers, one refresh at a time.
struct StatusFetcher: Sendable {
    let services: MarketServices
    let embedded: Bool
    let windowSeconds = 60

    /// Never throws: a server that does not answer shows as unhealthy, with the reason.
    func fetch() async -> StatusState {
        var state = StatusState()
        state.embedded = embedded
        state.latestSchemaVersion = Migrator.latestVersion
        state.rateWindowSeconds = windowSeconds
        state.lockMode = services.locks.mode.label
        var problems: [String] = []

        let database = services.configuration.database
        do {
            let row = try await services.pool.query("SELECT current_setting('server_version'), pg_postmaster_start_time()::text")
            let pool = services.pool.statistics
            state.servers.append(.init(name: "PostgreSQL", location: database.redactedURL, healthy: true,
                                       detail: "v\(try row.rows[0].decode(String.self, at: 0)) · pool \(pool.open - pool.idle)/\(pool.open) busy"))
            state.schemaVersion = try await Migrator(pool: services.pool).currentVersion()
        } catch {
            state.servers.append(.init(name: "PostgreSQL", location: database.redactedURL, healthy: false, detail: "unreachable"))
            problems.append("\(error)")
        }

        if let redis = services.redis {
            do {
                let info = try await redis.send("INFO", "server").string ?? ""
                let version = info.split(separator: "\r\n").first { $0.hasPrefix("redis_version:") }?.dropFirst(14) ?? "?"
                state.servers.append(.init(name: "Redis", location: redis.configuration.redactedURL, healthy: true,
                                           detail: "v\(version)"))
                state.heldLocks = try await services.locks.heldLocks().count
                let reader = StatsReader(redis: redis, namespace: redis.configuration.namespace)
                state.reportingProcesses = try await reader.reportingProcesses()
                state.rates = try await reader.unitOfWork(seconds: windowSeconds).map { stats in
                    StatusState.OperationRate(
                        operation: stats.operation,
                        commitsPerSecond: Double(stats.commits) / Double(windowSeconds),
                        rollbacksPerSecond: Double(stats.totalRollbacks) / Double(windowSeconds),
                        p50Milliseconds: stats.duration.percentileMicros(0.5).map { $0 / 1000 },
                        p99Milliseconds: stats.duration.percentileMicros(0.99).map { $0 / 1000 })
                }
            } catch {
                state.servers.append(.init(name: "Redis", location: redis.configuration.redactedURL, healthy: false,
                                           detail: "unreachable"))
                problems.append("\(error)")
            }
        }
        state.problem = problems.first
        return state
    }
}
