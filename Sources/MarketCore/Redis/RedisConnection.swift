import CHiredis
import Foundation
import Synchronization

/// A Redis connection shared by many tasks, with automatic pipelining.
///
/// Commands from all callers queue up; one I/O thread owned by the connection writes everything
/// queued in one batch and reads the replies in order, so concurrent callers share round trips the
/// way ioredis' auto-pipelining does. hiredis' blocking calls run only on that thread. A broken link
/// fails the commands in flight with `.connectionFailed` and is re-established on the next command.
///
/// Blocking commands (`BLPOP`, `SUBSCRIBE`) would stall every caller: use ``RedisSubscriber``.
public final class RedisConnection: Sendable {
    public let configuration: RedisConfiguration
    private let io: RedisIOThread

    public init(configuration: RedisConfiguration, label: String = "redis") {
        self.configuration = configuration
        self.io = RedisIOThread(configuration: configuration, label: label)
    }

    deinit { io.close() }

    /// Sends one command; an error reply is thrown as ``RedisError`` (`.noScript` for NOSCRIPT).
    @discardableResult
    public func send(_ arguments: [RedisArgument]) async throws -> RedisValue {
        let reply = try await pipeline([arguments])[0]
        if case .error(let message) = reply { throw RedisError(reply: message) }
        return reply
    }

    /// Sends `arguments` as one command: `send("SET", "k", "v")`.
    @discardableResult
    public func send(_ arguments: RedisArgument...) async throws -> RedisValue {
        try await send(arguments)
    }

    /// Sends several commands back to back and returns their replies in order; error replies come
    /// back as `.error` values, a connection failure is thrown.
    public func pipeline(_ commands: [[RedisArgument]]) async throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        // Unsafe (unchecked) continuation: the I/O thread resumes every submitted command exactly once.
        return try await withUnsafeThrowingContinuation { continuation in
            io.submit(commands) { continuation.resume(with: $0) }
        }
    }

    /// Queues one command without waiting for its reply; `completion` runs on the I/O thread.
    ///
    /// Commands stay in submission order, so anything sent after this (by any caller) reaches
    /// Redis after it. For write-behind commands such as a lock release.
    public func sendDetached(_ arguments: [RedisArgument],
                             completion: @escaping @Sendable (Result<RedisValue, any Error>) -> Void) {
        io.submit([arguments]) { result in
            completion(result.flatMap { replies in
                if case .error(let message) = replies[0] { return .failure(RedisError(reply: message)) }
                return .success(replies[0])
            })
        }
    }

    /// True while the link is up (as of the last command).
    public var isConnected: Bool { io.isConnected }

    /// The server commands go to: `host:port`, or under Sentinel the master last confirmed
    /// (nil before the first connection).
    public var serverAddress: RedisAddress? {
        guard let sentinel = configuration.sentinel else {
            return RedisAddress(host: configuration.host, port: configuration.port)
        }
        return sentinel.currentMaster
    }

    /// Sends `command` on every new link (after AUTH and SELECT, before anything queued); a
    /// failure there fails the connection. For state that must be reset whenever the link — and
    /// so possibly the server — changes.
    func runOnEveryConnection(_ command: [RedisArgument]) {
        io.addConnectCommand(command)
    }

    /// Fails queued commands with `.closed` and stops the I/O thread.
    public func close() { io.close() }
}

extension RedisError {
    init(reply message: String) {
        self.init(code: message.hasPrefix("NOSCRIPT") ? .noScript : .commandFailed, message: message)
    }
}

extension RedisValue {
    /// Copies a hiredis reply tree into Swift values.
    init(reply: UnsafeMutablePointer<redisReply>) {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            self = .bulkString(node.str.map { Array(UnsafeRawBufferPointer(start: $0, count: Int(node.len))) } ?? [])
        case REDIS_REPLY_STATUS:
            self = .simpleString(node.str.map { String(cString: $0) } ?? "")
        case REDIS_REPLY_ERROR:
            self = .error(node.str.map { String(cString: $0) } ?? "unknown error")
        case REDIS_REPLY_INTEGER:
            self = .integer(node.integer)
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            for index in 0..<Int(node.elements) {
                if let element = node.element[index] { elements.append(RedisValue(reply: element)) }
            }
            self = .array(elements)
        default:
            self = .null
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
