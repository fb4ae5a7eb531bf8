import Foundation
import Testing
@testable import MarketCore

@Suite("Redis client")
struct RedisClientTests {
    private func connection() throws -> (RedisConnection, String) {
        var configuration = try RedisConfiguration(url: try TestServers.urls().redis)
        configuration.namespace = "\(TestServers.uniqueName("r")):"
        return (RedisConnection(configuration: configuration), configuration.namespace)
    }

    @Test func argumentsAreBinarySafe() async throws {
        let (redis, namespace) = try connection()
        let bytes: [UInt8] = [0, 13, 10, 36, 42, 255, 0, 1]
        try await redis.send("SET", RedisArgument("\(namespace)binary"), RedisArgument(bytes: bytes))
        #expect(try await redis.send("GET", RedisArgument("\(namespace)binary")) == .bulkString(bytes))
        #expect(try await redis.send("STRLEN", RedisArgument("\(namespace)binary")).integer == 8)
    }

    @Test func pipelinedRepliesComeBackInOrder() async throws {
        let (redis, namespace) = try connection()
        let commands: [[RedisArgument]] = (1...50).map { ["INCRBY", RedisArgument("\(namespace)sum"), RedisArgument($0)] }
        let replies = try await redis.pipeline(commands + [["GET", "\(namespace)missing"], ["HGET", "\(namespace)sum", "x"]])
        let sums: [Int64?] = replies.prefix(50).map(\.integer)
        let expected: [Int64?] = (1...50).map { (n: Int) -> Int64? in Int64(n * (n + 1) / 2) }
        #expect(sums == expected)
        #expect(replies[50] == .null)
        guard case .error(let message) = replies[51] else {
            Issue.record("expected an error reply, got \(replies[51])")
            return
        }
        #expect(message.hasPrefix("WRONGTYPE"))
    }

    @Test func anErrorReplyIsThrownAsCommandFailed() async throws {
        let (redis, _) = try connection()
        let error = await #expect(throws: RedisError.self) { try await redis.send("NOSUCHCOMMAND") }
        #expect(error?.code == .commandFailed)
    }

    @Test func manyConcurrentCallersShareOneConnectionExactly() async throws {
        let (redis, namespace) = try connection()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<64 {
                group.addTask {
                    for _ in 0..<200 { try await redis.send("INCR", RedisArgument("\(namespace)counter")) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await redis.send("GET", RedisArgument("\(namespace)counter")).integer == 12_800)
    }

    @Test func valuesLargerThanTheSocketBufferArriveWhole() async throws {
        // 24 MB does not fit the socket at once: the rest goes out when poll says it can.
        let (redis, namespace) = try connection()
        let large = (0..<(24 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await redis.send("SET", RedisArgument("\(namespace)large"), RedisArgument(bytes: large))
            }
            for caller in 0..<16 {
                group.addTask {
                    for _ in 0..<50 { try await redis.send("INCR", RedisArgument("\(namespace)small:\(caller)")) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await redis.send("GET", RedisArgument("\(namespace)large")) == .bulkString(large))
        for caller in 0..<16 {
            #expect(try await redis.send("GET", RedisArgument("\(namespace)small:\(caller)")).integer == 50)
        }
    }

    @Test func commandsAreEncodedAsArraysOfBulkStrings() {
        var encoded: [UInt8] = []
        RESP.encode(["SET", "k", RedisArgument(bytes: [0, 13, 10]), RedisArgument(Int64(1234567890123))], into: &encoded)
        #expect(encoded == Array("*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\n\0\r\n\r\n$13\r\n1234567890123\r\n".utf8))
    }

    @Test func aScriptIsReloadedAfterTheServerForgetsIt() async throws {
        let server = try TestRedisServer()
        let redis = RedisConnection(configuration: try RedisConfiguration(url: server.url))
        let script = RedisScript("return tonumber(ARGV[1]) * 2")
        #expect(try await script.run(on: redis, keys: [], arguments: ["21"]).integer == 42)
        try await redis.send("SCRIPT", "FLUSH")
        #expect(try await script.run(on: redis, keys: [], arguments: ["4"]).integer == 8)
    }

    @Test func theConnectionComesBackAfterTheServerRestarts() async throws {
        let server = try TestRedisServer()
        let redis = RedisConnection(configuration: try RedisConfiguration(url: server.url))
        #expect(try await redis.send("PING") == .simpleString("PONG"))
        server.kill()
        let error = await #expect(throws: RedisError.self) { try await redis.send("PING") }
        #expect(error?.isConnectionFailure == true)
        #expect(!redis.isConnected)
        try server.start()
        var reply: RedisValue?
        for _ in 0..<20 where reply == nil {
            reply = try? await redis.send("PING")
            if reply == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(reply == .simpleString("PONG"))
        #expect(redis.isConnected)
    }
}
