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
        try await withCheckedThrowingContinuation { continuation in
            io.submit(commands) { continuation.resume(with: $0) }
        }
    }

    /// True while the link is up (as of the last command).
    public var isConnected: Bool { io.isConnected }

    /// Fails queued commands with `.closed` and stops the I/O thread.
    public func close() { io.close() }
}

extension RedisError {
    init(reply message: String) {
        self.init(code: message.hasPrefix("NOSCRIPT") ? .noScript : .commandFailed, message: message)
    }
}

/// The thread that owns a `redisContext` and moves batches of commands through it.
///
/// `@unchecked Sendable`: `queue` and `closed` are guarded by `condition`; `context` is touched
/// only by the I/O thread; `connected` is atomic.
final class RedisIOThread: @unchecked Sendable {
    typealias Completion = @Sendable (Result<[RedisValue], any Error>) -> Void
    private struct Pending {
        let commands: [[RedisArgument]]
        let completion: Completion
    }

    private let configuration: RedisConfiguration
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var closed = false
    private var context: UnsafeMutablePointer<redisContext>?
    private var lastConnectFailure: ContinuousClock.Instant?
    private let connected = Atomic<Bool>(false)
    /// After a failed connect, commands fail at once for this long instead of each waiting on a dead host.
    private static let reconnectPause: Duration = .milliseconds(200)

    init(configuration: RedisConfiguration, label: String) {
        self.configuration = configuration
        let thread = Thread { [self] in run() }
        thread.name = label
        thread.start()
    }

    var isConnected: Bool { connected.load(ordering: .relaxed) }

    func submit(_ commands: [[RedisArgument]], completion: @escaping Completion) {
        condition.lock()
        if closed {
            condition.unlock()
            completion(.failure(RedisError(code: .closed, message: "the Redis connection is closed")))
            return
        }
        queue.append(Pending(commands: commands, completion: completion))
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        var batch: [Pending] = []
        while true {
            condition.lock()
            while queue.isEmpty && !closed { condition.wait() }
            let closing = closed
            swap(&batch, &queue)
            condition.unlock()
            if closing {
                let error = RedisError(code: .closed, message: "the Redis connection is closed")
                batch.forEach { $0.completion(.failure(error)) }
                disconnect()
                return
            }
            process(batch)
            batch.removeAll(keepingCapacity: true)
        }
    }

    private func process(_ batch: [Pending]) {
        guard let context = connectIfNeeded(failing: batch) else { return }
        for pending in batch {
            for command in pending.commands { append(command, to: context) }
        }
        var done: Int32 = 0
        repeat {
            if redisBufferWrite(context, &done) != REDIS_OK { return fail(batch[...], because: context) }
        } while done == 0
        for (index, pending) in batch.enumerated() {
            var replies: [RedisValue] = []
            replies.reserveCapacity(pending.commands.count)
            for _ in pending.commands {
                var reply: UnsafeMutableRawPointer?
                guard redisGetReply(context, &reply) == REDIS_OK, let reply else {
                    return fail(batch[index...], because: context)
                }
                replies.append(RedisValue(reply: reply.assumingMemoryBound(to: redisReply.self)))
                freeReplyObject(reply)
            }
            pending.completion(.success(replies))
        }
    }

    private func append(_ command: [RedisArgument], to context: UnsafeMutablePointer<redisContext>) {
        Self.withArgv(command) { argc, argv, lengths in
            _ = redisAppendCommandArgv(context, argc, argv, lengths)
        }
    }

    /// Lays the arguments out in one buffer and calls `body` with hiredis' argc/argv/argvlen.
    static func withArgv<R>(_ command: [RedisArgument],
                            _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, [Int]) -> R) -> R {
        var storage: [CChar] = []
        storage.reserveCapacity(command.reduce(1) { $0 + $1.bytes.count })
        var offsets: [Int] = []
        for argument in command {
            offsets.append(storage.count)
            for byte in argument.bytes { storage.append(CChar(bitPattern: byte)) }
        }
        storage.append(0)
        let lengths = command.map { $0.bytes.count }
        return storage.withUnsafeBufferPointer { buffer in
            var argv: [UnsafePointer<CChar>?] = offsets.map { buffer.baseAddress! + $0 }
            return argv.withUnsafeMutableBufferPointer { body(Int32(command.count), $0.baseAddress!, lengths) }
        }
    }

    private func fail(_ pendings: ArraySlice<Pending>, because context: UnsafeMutablePointer<redisContext>) {
        let error = RedisError(code: .connectionFailed, message: "lost the connection to Redis at "
                               + "\(configuration.host):\(configuration.port): \(Self.errorText(context))")
        disconnect()
        pendings.forEach { $0.completion(.failure(error)) }
    }

    private func connectIfNeeded(failing batch: [Pending]) -> UnsafeMutablePointer<redisContext>? {
        if let context { return context }
        if let lastConnectFailure, lastConnectFailure.duration(to: .now) < Self.reconnectPause {
            let error = RedisError(code: .connectionFailed,
                                   message: "Redis at \(configuration.host):\(configuration.port) is unreachable")
            batch.forEach { $0.completion(.failure(error)) }
            return nil
        }
        do {
            let context = try Self.connect(configuration)
            self.context = context
            lastConnectFailure = nil
            connected.store(true, ordering: .relaxed)
            return context
        } catch {
            lastConnectFailure = .now
            batch.forEach { $0.completion(.failure(error)) }
            return nil
        }
    }

    private func disconnect() {
        if let context { redisFree(context) }
        context = nil
        connected.store(false, ordering: .relaxed)
    }

    /// Opens a blocking context with read/write timeouts, then AUTH and SELECT.
    static func connect(_ configuration: RedisConfiguration) throws -> UnsafeMutablePointer<redisContext> {
        let timeout = timeval(tv_sec: configuration.timeoutSeconds, tv_usec: 0)
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port), timeout) else {
            throw RedisError(code: .connectionFailed, message: "cannot allocate a Redis context")
        }
        if context.pointee.err != 0 {
            let reason = errorText(context)
            redisFree(context)
            throw RedisError(code: .connectionFailed,
                             message: "cannot connect to Redis at \(configuration.host):\(configuration.port): \(reason)")
        }
        _ = redisSetTimeout(context, timeout)
        var setup: [[RedisArgument]] = []
        if let password = configuration.password {
            setup.append(configuration.username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] }
                         ?? ["AUTH", RedisArgument(password)])
        }
        if configuration.database != 0 { setup.append(["SELECT", RedisArgument(configuration.database)]) }
        for command in setup {
            if let problem = runSynchronously(command, on: context) {
                redisFree(context)
                throw RedisError(code: .connectionFailed, message: "Redis refused the connection: \(problem)")
            }
        }
        return context
    }

    /// Runs one command on a context this thread owns; returns the error text, if any.
    static func runSynchronously(_ command: [RedisArgument], on context: UnsafeMutablePointer<redisContext>) -> String? {
        let raw = withArgv(command) { argc, argv, lengths in redisCommandArgv(context, argc, argv, lengths) }
        guard let raw else { return errorText(context) }
        defer { freeReplyObject(raw) }
        if case .error(let message) = RedisValue(reply: raw.assumingMemoryBound(to: redisReply.self)) { return message }
        return nil
    }

    static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafePointer(to: context.pointee.errstr) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: 128) { String(cString: $0) }
        }
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
