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

    /// Queues the script without waiting (see ``RedisConnection/sendDetached(_:completion:)``).
    /// A script the server has not loaded yet is loaded first, in the background.
    public func runDetached(on connection: RedisConnection, keys: [RedisArgument], arguments: [RedisArgument],
                            completion: @escaping @Sendable (Result<RedisValue, any Error>) -> Void) {
        guard let loaded = sha.withLock({ $0 }) else {
            runInBackground(on: connection, keys: keys, arguments: arguments, completion: completion)
            return
        }
        connection.sendDetached(command(sha: loaded, keys: keys, arguments: arguments)) { result in
            if case .failure(let error as RedisError) = result, error.code == .noScript {
                self.runInBackground(on: connection, keys: keys, arguments: arguments, completion: completion)
            } else {
                completion(result)
            }
        }
    }

    private func runInBackground(on connection: RedisConnection, keys: [RedisArgument], arguments: [RedisArgument],
                                 completion: @escaping @Sendable (Result<RedisValue, any Error>) -> Void) {
        Task {
            do {
                completion(.success(try await run(on: connection, keys: keys, arguments: arguments)))
            } catch {
                completion(.failure(error))
            }
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
