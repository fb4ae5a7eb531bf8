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

    /// Fails queued commands with `.closed` and stops the I/O thread.
    public func close() { io.close() }
}

extension RedisError {
    init(reply message: String) {
        self.init(code: message.hasPrefix("NOSCRIPT") ? .noScript : .commandFailed, message: message)
    }
}

/// The socket of one Redis connection, written by the callers and read by a thread of its own.
///
/// Full-duplex pipelining: a caller appends its command to the output buffer and writes it with a
/// non-blocking `write` right away (no thread hop, no waiting behind earlier replies); the reader
/// thread sleeps in `poll` and completes the oldest command in flight with each reply. Everything
/// that touches the hiredis context is done with `lock` held. `@unchecked Sendable`: all mutable
/// state is guarded by `lock`; `connected` is atomic.
final class RedisIOThread: @unchecked Sendable {
    typealias Completion = @Sendable (Result<[RedisValue], any Error>) -> Void
    private struct Pending {
        let commands: [[RedisArgument]]
        let completion: Completion
    }

    private final class InFlight {
        let completion: Completion
        var replies: [RedisValue] = []
        let expected: Int
        let sentAt: ContinuousClock.Instant

        init(_ pending: Pending) {
            completion = pending.completion
            expected = pending.commands.count
            replies.reserveCapacity(expected)
            sentAt = .now
        }
    }

    private let configuration: RedisConfiguration
    private let lock = NSLock()
    /// Commands waiting for the reader thread to (re)connect.
    private var waitingForConnection: [Pending] = []
    private var closed = false
    private var context: UnsafeMutablePointer<redisContext>?
    /// Contexts dropped after a failure, waiting for the reader thread to free them.
    private var retired: [UnsafeMutablePointer<redisContext>] = []
    private var inFlight: [InFlight] = []
    private var inFlightHead = 0
    private var unwritten = false
    /// True while the reader thread is (about to be) in a poll that watches the socket.
    private var readerWatchesSocket = false
    /// True once a caller has asked the reader thread to write the deferred output.
    private var flushRequested = false
    private var lastConnectFailure: ContinuousClock.Instant?
    private let connected = Atomic<Bool>(false)
    /// A self-pipe: a byte written here wakes the reader thread from poll().
    private let wakePipe: (read: Int32, write: Int32)
    /// After a failed connect, commands fail at once for this long instead of each waiting on a dead host.
    private static let reconnectPause: Duration = .milliseconds(200)

    /// hiredis writes with write(2): a server that went away would kill the process with SIGPIPE
    /// instead of failing the write with EPIPE. Ignored once, process-wide, as hiredis advises.
    private static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    init(configuration: RedisConfiguration, label: String) {
        _ = Self.sigpipeIgnored
        self.configuration = configuration
        var descriptors: [Int32] = [-1, -1]
        _ = pipe(&descriptors)
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        wakePipe = (descriptors[0], descriptors[1])
        let thread = Thread { [self] in run() }
        thread.name = label
        thread.start()
    }

    deinit {
        SwiftGlibc.close(wakePipe.read)
        SwiftGlibc.close(wakePipe.write)
    }

    var isConnected: Bool { connected.load(ordering: .relaxed) }

    func submit(_ commands: [[RedisArgument]], completion: @escaping Completion) {
        let pending = Pending(commands: commands, completion: completion)
        var failed: [Completion] = []
        var failure: RedisError?
        lock.lock()
        let wake: Bool
        if closed {
            failure = RedisError(code: .closed, message: "the Redis connection is closed")
            failed = [completion]
            wake = false
        } else if let context {
            let idle = outstanding == 0
            for command in commands { append(command, to: context) }
            inFlight.append(InFlight(pending))
            if idle {
                // Nothing in flight: send now.
                if let error = flushLocked(context) {
                    failure = error
                    failed = takeInFlightLocked()
                }
                wake = !readerWatchesSocket
            } else {
                // Busy: the reader thread writes everything queued by then in one go when the next
                // reply arrives, so busy callers share write calls (and Redis' reads).
                unwritten = true
                wake = !readerWatchesSocket
            }
        } else {
            waitingForConnection.append(pending)
            wake = true
        }
        lock.unlock()
        if wake { signalReader() }
        if let failure { failed.forEach { $0(.failure(failure)) } }
    }

    func close() {
        lock.lock()
        closed = true
        lock.unlock()
        signalReader()
    }

    private func signalReader() {
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    private var outstanding: Int { inFlight.count - inFlightHead }

    private func run() {
        while true {
            freeRetiredContexts()
            lock.lock()
            let closing = closed
            let needConnection = waitingForConnection
            waitingForConnection.removeAll()
            lock.unlock()
            if closing {
                let error = RedisError(code: .closed, message: "the Redis connection is closed")
                needConnection.forEach { $0.completion(.failure(error)) }
                lock.lock()
                let failed = takeInFlightLocked()
                disconnectLocked()
                lock.unlock()
                freeRetiredContexts()
                failed.forEach { $0(.failure(error)) }
                return
            }
            if !needConnection.isEmpty { connectAndSend(needConnection) }
            waitForEvents()
        }
    }

    /// Connects (on this thread: connecting blocks) and sends what waited for the connection.
    private func connectAndSend(_ batch: [Pending]) {
        lock.lock()
        let already = context != nil
        lock.unlock()
        if !already {
            if let lastConnectFailure, lastConnectFailure.duration(to: .now) < Self.reconnectPause {
                let error = RedisError(code: .connectionFailed,
                                       message: "Redis at \(configuration.host):\(configuration.port) is unreachable")
                batch.forEach { $0.completion(.failure(error)) }
                return
            }
            do {
                let fresh = try Self.connect(configuration)
                // From here on the socket is driven by poll(): hiredis must treat EAGAIN as "later".
                _ = fcntl(fresh.pointee.fd, F_SETFL, fcntl(fresh.pointee.fd, F_GETFL) | O_NONBLOCK)
                fresh.pointee.flags &= ~Int32(REDIS_BLOCK)
                lastConnectFailure = nil
                // Publish the context and queue everything that waited for it in one locked step,
                // so no caller's direct write can overtake a command submitted before it.
                lock.lock()
                context = fresh
                let waited = batch + waitingForConnection
                waitingForConnection.removeAll()
                for pending in waited {
                    for command in pending.commands { append(command, to: fresh) }
                    inFlight.append(InFlight(pending))
                }
                let failure = flushLocked(fresh)
                let failed = failure == nil ? [] : takeInFlightLocked()
                lock.unlock()
                connected.store(true, ordering: .relaxed)
                if let failure { failed.forEach { $0(.failure(failure)) } }
            } catch {
                lastConnectFailure = .now
                batch.forEach { $0.completion(.failure(error)) }
            }
            return
        }
        for pending in batch { submit(pending.commands, completion: pending.completion) }
    }

    /// Sleeps in poll until the socket has replies or can take more output, or a caller wakes it.
    private func waitForEvents() {
        lock.lock()
        let socket = context.flatMap { outstanding > 0 || unwritten ? $0.pointee.fd : nil }
        let wantsOutput = unwritten
        readerWatchesSocket = socket != nil
        lock.unlock()
        var descriptors = [pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)]
        if let socket {
            descriptors.append(pollfd(fd: socket, events: Int16(POLLIN) | (wantsOutput ? Int16(POLLOUT) : 0), revents: 0))
        }
        let ready = poll(&descriptors, nfds_t(descriptors.count), 1000)
        if ready > 0, descriptors[0].revents != 0 {
            var drain = [UInt8](repeating: 0, count: 64)
            _ = read(wakePipe.read, &drain, drain.count)
        }
        var completed: [(Completion, [RedisValue])] = []
        var failed: [Completion] = []
        var failure: RedisError?
        lock.lock()
        readerWatchesSocket = false
        flushRequested = false
        if let context, unwritten, failure == nil, let error = flushLocked(context) {
            failure = error
        }
        var readable = false
        if failure == nil, let context, descriptors.count > 1, context.pointee.fd == descriptors[1].fd {
            let events = descriptors[1].revents
            if events & Int16(POLLOUT) != 0, let error = flushLocked(context) {
                failure = error
            } else if events & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
                readable = true
            } else if ready == 0, let oldest = inFlight[safe: inFlightHead],
                      oldest.sentAt.duration(to: .now) > .seconds(configuration.timeoutSeconds) {
                failure = linkError("no reply within \(configuration.timeoutSeconds) s")
            }
        }
        let readerContext = readable ? context : nil
        lock.unlock()
        if let readerContext {
            // Only this thread reads the socket and feeds hiredis' reader: no lock needed until
            // the replies are matched with the commands in flight.
            switch readReplies(readerContext) {
            case .success(let replies):
                lock.lock()
                completeLocked(with: replies, into: &completed)
                if unwritten, context == readerContext, let error = flushLocked(readerContext) { failure = error }
            case .failure(let error):
                lock.lock()
                failure = error
            }
        } else {
            lock.lock()
        }
        if failure != nil {
            failed = takeInFlightLocked()
            disconnectLocked()
        }
        lock.unlock()
        for (completion, replies) in completed { completion(.success(replies)) }
        if let failure { failed.forEach { $0(.failure(failure)) } }
    }

    /// Reads what arrived and parses every complete reply (called on the reader thread only).
    private func readReplies(_ context: UnsafeMutablePointer<redisContext>) -> Result<[RedisValue], RedisError> {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = buffer.withUnsafeMutableBytes { recv(context.pointee.fd, $0.baseAddress, $0.count, 0) }
        if count == 0 { return .failure(linkError("Server closed the connection")) }
        if count < 0 {
            if errno == EAGAIN || errno == EINTR { return .success([]) }
            return .failure(linkError(String(cString: strerror(errno))))
        }
        let fed = buffer.withUnsafeBytes {
            redisReaderFeed(context.pointee.reader, $0.baseAddress!.assumingMemoryBound(to: CChar.self), count)
        }
        guard fed == REDIS_OK else { return .failure(linkError("protocol error")) }
        var replies: [RedisValue] = []
        var reply: UnsafeMutableRawPointer?
        while true {
            guard redisReaderGetReply(context.pointee.reader, &reply) == REDIS_OK else {
                return .failure(linkError("protocol error"))
            }
            guard let raw = reply else { break }
            reply = nil
            replies.append(RedisValue(reply: raw.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(raw)
        }
        return .success(replies)
    }

    /// Pairs replies, in order, with the oldest commands in flight.
    private func completeLocked(with replies: [RedisValue], into completed: inout [(Completion, [RedisValue])]) {
        for value in replies where outstanding > 0 {
            let head = inFlight[inFlightHead]
            head.replies.append(value)
            if head.replies.count == head.expected {
                inFlightHead += 1
                completed.append((head.completion, head.replies))
            }
        }
        if inFlightHead == inFlight.count {
            inFlight.removeAll(keepingCapacity: true)
            inFlightHead = 0
        }
    }

    /// Writes as much of the output buffer as the socket takes now.
    private func flushLocked(_ context: UnsafeMutablePointer<redisContext>) -> RedisError? {
        var done: Int32 = 0
        if redisBufferWrite(context, &done) != REDIS_OK {
            let error = linkError(Self.errorText(context))
            disconnectLocked()
            return error
        }
        unwritten = done == 0
        return nil
    }

    private func takeInFlightLocked() -> [Completion] {
        let failed = inFlight[inFlightHead...].map(\.completion)
        inFlight.removeAll()
        inFlightHead = 0
        unwritten = false
        return failed
    }

    private func linkError(_ reason: String) -> RedisError {
        RedisError(code: .connectionFailed,
                   message: "lost the connection to Redis at \(configuration.host):\(configuration.port): \(reason)")
    }

    /// Drops the context. It is freed later by the reader thread (``freeRetiredContexts()``), which
    /// may still be reading from it right now.
    private func disconnectLocked() {
        if let context { retired.append(context) }
        context = nil
        connected.store(false, ordering: .relaxed)
    }

    private func freeRetiredContexts() {
        lock.lock()
        let contexts = retired
        retired.removeAll()
        lock.unlock()
        contexts.forEach { redisFree($0) }
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
            argument.bytes.withUnsafeBufferPointer { bytes in
                storage.append(contentsOf: UnsafeRawBufferPointer(bytes).bindMemory(to: CChar.self))
            }
        }
        storage.append(0)
        let lengths = command.map { $0.bytes.count }
        return storage.withUnsafeBufferPointer { buffer in
            var argv: [UnsafePointer<CChar>?] = offsets.map { buffer.baseAddress! + $0 }
            return argv.withUnsafeMutableBufferPointer { body(Int32(command.count), $0.baseAddress!, lengths) }
        }
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

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
