import Synchronization

/// A Lua script run with `EVALSHA`, loaded on first use and reloaded when the server forgot it.
public final class RedisScript: Sendable {
    public let source: String
    private let sha = Mutex<String?>(nil)

    public init(_ source: String) {
        self.source = source
    }

    /// Runs the script: `EVALSHA sha numkeys keys… args…`, falling back to `SCRIPT LOAD` on NOSCRIPT.
    public func run(on connection: RedisConnection, keys: [RedisArgument], arguments: [RedisArgument]) async throws -> RedisValue {
        let loaded: String
        if let known = sha.withLock({ $0 }) {
            loaded = known
        } else {
            loaded = try await load(on: connection)
        }
        do {
            return try await connection.send(command(sha: loaded, keys: keys, arguments: arguments))
        } catch let error as RedisError where error.code == .noScript {
            let reloaded = try await load(on: connection)
            return try await connection.send(command(sha: reloaded, keys: keys, arguments: arguments))
        }
    }

    private func command(sha: String, keys: [RedisArgument], arguments: [RedisArgument]) -> [RedisArgument] {
        ["EVALSHA", RedisArgument(sha), RedisArgument(keys.count)] + keys + arguments
    }

    private func load(on connection: RedisConnection) async throws -> String {
        let reply = try await connection.send("SCRIPT", "LOAD", RedisArgument(source))
        guard let loaded = reply.string else {
            throw RedisError(code: .commandFailed, message: "SCRIPT LOAD returned no SHA")
        }
        sha.withLock { $0 = loaded }
        return loaded
    }
}
