import MarketCore

/// A Redis ACL user that may only `SET` the keys redis-benchmark writes (`key:*`), made for one
/// benchmark run on a server that wants a password and deleted right after: its password reaches
/// redis-benchmark's argv, where other local users can read it, so it must be worth nothing.
struct ThrowawayRedisUser: Sendable {
    let name: String
    let password: String

    /// Runs `body` with a throwaway user on `redis` when the server wants credentials (nil otherwise).
    static func around<T: Sendable>(_ redis: RedisConnection, tag: String, _ body: (ThrowawayRedisUser?) async throws -> T)
        async throws -> T {
        guard redis.configuration.password != nil else { return try await body(nil) }
        var generator = SystemRandomNumberGenerator()
        let password = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
        let user = ThrowawayRedisUser(name: "mc-bench-\(tag)", password: password)
        // No CONFIG: `CONFIG GET requirepass` would hand out the server's own password.
        _ = try await redis.send("ACL", "SETUSER", RedisArgument(user.name), "reset", "on", RedisArgument(">" + user.password),
                                 "~key:*", "resetchannels", "-@all", "+set", "+ping", "+select", "+auth", "+hello")
        do {
            let result = try await body(user)
            _ = try? await redis.send("ACL", "DELUSER", RedisArgument(user.name))
            return result
        } catch {
            _ = try? await redis.send("ACL", "DELUSER", RedisArgument(user.name))
            throw error
        }
    }
}
