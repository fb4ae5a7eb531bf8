import Foundation
import MarketCore
import MarketEmbedded

/// The reference tools our benchmarks are compared with, run on the same servers in the same run.
/// Credentials travel in the child's environment, never in its argv.
enum ExternalBenchmarks {
    struct ToolError: Error, CustomStringConvertible {
        let description: String
    }

    /// `redis-benchmark -t set` with `clients` connections; returns SET requests per second.
    /// redis-benchmark takes credentials only in argv, which every local user can read: pass a
    /// ``ThrowawayRedisUser``'s, never the market's.
    static func redisSet(_ redis: RedisConfiguration, clients: Int, requests: Int, as user: ThrowawayRedisUser?) throws -> Double {
        let credentials = user.map { ["--user", $0.name, "-a", $0.password] } ?? []
        let output = try run("redis-benchmark", ["-h", redis.host, "-p", String(redis.port), "--dbnum", String(redis.database),
                                                 "-c", String(clients), "-n", String(requests), "-t", "set", "-q"] + credentials,
                             environment: [:])
        // "SET: 112359.55 requests per second, p50=0.071 msec"
        guard let line = output.split(whereSeparator: \.isNewline).last(where: { $0.contains("SET:") }),
              let value = line.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { throw ToolError(description: "could not read redis-benchmark's output: \(output.suffix(200))") }
        return value
    }

    /// Creates pgbench's tables (scale 10), replacing any left by an earlier run.
    static func pgbenchInitialise(_ database: PostgresConfiguration) throws {
        _ = try run("pgbench", ["-i", "-q", "-s", "10"], environment: try libpqEnvironment(database))
    }

    /// `pgbench` with `clients` clients for `seconds` on tables made by ``pgbenchInitialise(_:)``;
    /// `selectOnly` runs `-S`. Returns tps.
    static func pgbench(_ database: PostgresConfiguration, clients: Int, seconds: Int, selectOnly: Bool,
                        progress: (String) -> Void) throws -> Double {
        let environment = try libpqEnvironment(database)
        progress("running pgbench \(selectOnly ? "-S " : "")-c \(clients) for \(seconds) s…")
        var arguments = ["-n", "-c", String(clients), "-j", "2", "-T", String(seconds)]
        if selectOnly { arguments.append("-S") }
        let output = try run("pgbench", arguments, environment: environment)
        guard let line = output.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("tps = ") }),
              let value = line.split(separator: " ").dropFirst(2).first.flatMap({ Double($0) })
        else { throw ToolError(description: "could not read pgbench's output: \(output.suffix(200))") }
        return value
    }

    /// The connection's parameters as PG* variables, so the URL (and its password) stays out of argv.
    static func libpqEnvironment(_ database: PostgresConfiguration) throws -> [String: String] {
        let names = ["host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "dbname": "PGDATABASE", "password": "PGPASSWORD",
                     "sslmode": "PGSSLMODE"]
        var environment: [String: String] = [:]
        for (keyword, value) in try database.connectionParameters() {
            if let name = names[keyword] { environment[name] = value }
        }
        return environment
    }

    /// Runs a tool through ``ChildProcessRunner``: a clean signal mask (pgbench's `-T` timer is a
    /// SIGALRM our runtime's threads block) and nothing of ours inherited.
    static func run(_ tool: String, _ arguments: [String], environment: [String: String]) throws -> String {
        guard let path = ["/usr/bin", "/usr/local/bin", "/usr/lib/postgresql/15/bin"]
            .map({ "\($0)/\(tool)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw ToolError(description: "\(tool) not found: run scripts/install-deps.sh") }
        let result = ChildProcessRunner.run(path, arguments, environment: environment, timeout: 600)
        guard result.succeeded else {
            let lines = result.output.split(whereSeparator: \.isNewline).filter { $0.contains("error") || $0.contains("FATAL") }
            throw ToolError(description: "\(tool) failed (status \(result.status)): "
                            + (lines.isEmpty ? result.summary : lines.prefix(3).joined(separator: " / ")))
        }
        return result.output
    }
}
