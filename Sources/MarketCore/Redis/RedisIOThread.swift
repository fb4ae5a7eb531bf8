import CHiredis
import Foundation
import Synchronization

/// The socket of one Redis connection, written by the callers and read by a thread of its own.
///
/// Full-duplex pipelining: a caller encodes its command (outside any lock) and appends it to the
/// output buffer. If no thread is writing, it becomes the writer: it takes everything queued and
/// writes it with a non-blocking `send` without holding the lock (no thread hop), then takes
/// whatever other callers appended meanwhile, until the buffer is empty. Callers arriving during a
/// write only append and go on, so busy callers share system calls and never wait behind one.
/// Callers on a ``SocketEventLoop`` leave the write to the end of the loop's turn, so all the
/// commands of one turn go out in one `send`.
/// The reader thread sleeps in `poll`, completes the oldest command in flight with each reply, and
/// writes when the socket was full.
///
/// hiredis connects and parses replies; the bytes on the wire are written here. Everything that
/// touches shared state is done with `lock` held. A context is freed only by the reader thread and
/// never while a writer is active, so a writer's socket stays valid. `@unchecked Sendable`: all
/// mutable state is guarded by `lock`; `connected` is atomic.
final class RedisIOThread: @unchecked Sendable {
    typealias Completion = @Sendable (Result<[RedisValue], any Error>) -> Void
    private struct Pending {
        let encoded: [UInt8]
        let count: Int
        let completion: Completion
    }

    private final class InFlight {
        let completion: Completion
        var replies: [RedisValue] = []
        let expected: Int
        let sentAt: ContinuousClock.Instant

        init(_ pending: Pending) {
            completion = pending.completion
            expected = pending.count
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
    /// Encoded commands not written to the socket yet.
    private var output: [UInt8] = []
    /// The socket took less than offered: wait for `POLLOUT` before writing again.
    private var socketFull = false
    /// A thread is writing taken output without the lock: the others only append.
    private var writing = false
    /// An event loop will write at the end of its turn: its other jobs of that turn only append.
    private var writeAtEndOfTurn = false
    /// Bumped for every new context, so a writer can tell whether the socket it used is still current.
    private var generation = 0
    /// True while the reader thread is (about to be) in a poll that does not watch the socket
    /// (nothing was in flight): a new command must wake it, or its reply would go unread.
    private var readerSleepsBlind = false
    private var lastConnectFailure: ContinuousClock.Instant?
    /// Under Sentinel, the epoch of the master the current context talks to (see ``SentinelDiscovery/epoch``).
    private var linkEpoch = 0
    /// Run on every new link before anything queued (see ``RedisConnection/runOnEveryConnection(_:)``).
    private var connectCommands: [[RedisArgument]] = []
    private var sentinelObserver: Int?
    private let connected = Atomic<Bool>(false)
    /// Wakes the reader thread from poll().
    private let wakePipe = WakePipe()
    /// After a failed connect, commands fail at once for this long instead of each waiting on a dead host.
    private static let reconnectPause: Duration = .milliseconds(200)

    /// A server that went away would kill the process with SIGPIPE on a write instead of failing
    /// it with EPIPE (hiredis' own writes during connect included). Ignored once, process-wide.
    private static let sigpipeIgnored: Bool = {
        signal(SIGPIPE, SIG_IGN)
        return true
    }()

    init(configuration: RedisConfiguration, label: String) {
        _ = Self.sigpipeIgnored
        self.configuration = configuration
        let wake = wakePipe
        // A change of master wakes the reader at once, so the stale link is dropped without waiting for poll's timeout.
        sentinelObserver = configuration.sentinel?.observe { wake.signal() }
        Thread.start(named: label) { [self] in run() }
    }

    /// Adds a command run on every new link, right after AUTH and SELECT and before anything queued.
    func addConnectCommand(_ command: [RedisArgument]) {
        lock.withLock { connectCommands.append(command) }
    }

    var isConnected: Bool { connected.load(ordering: .relaxed) }

    func submit(_ commands: [[RedisArgument]], completion: @escaping Completion) {
        var encoded: [UInt8] = []
        for command in commands { RESP.encode(command, into: &encoded) }
        let pending = Pending(encoded: encoded, count: commands.count, completion: completion)
        let loop = SocketEventLoop.Executor.current
        lock.lock()
        let wake: Bool
        var write = false
        var writeLater = false
        if closed {
            lock.unlock()
            completion(.failure(RedisError(code: .closed, message: "the Redis connection is closed")))
            return
        } else if context != nil {
            output.append(contentsOf: encoded)
            inFlight.append(InFlight(pending))
            if !writing && !socketFull {
                if loop == nil {
                    write = true
                } else if !writeAtEndOfTurn {
                    writeAtEndOfTurn = true
                    writeLater = true
                }
            }
            wake = readerSleepsBlind
            readerSleepsBlind = false
        } else {
            waitingForConnection.append(pending)
            wake = true
        }
        lock.unlock()
        if wake { signalReader() }
        if write { writeQueuedOutput() }
        if writeLater, let loop {
            // On an event loop: one write for every command its current turn submits.
            loop.atEndOfTurn { [self] in
                lock.withLock { writeAtEndOfTurn = false }
                writeQueuedOutput()
            }
        }
    }

    func close() {
        lock.lock()
        closed = true
        lock.unlock()
        if let sentinelObserver { configuration.sentinel?.stopObserving(sentinelObserver) }
        signalReader()
    }

    private func signalReader() {
        wakePipe.signal()
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
            writeQueuedOutput()
            waitForEvents()
        }
    }

    /// Connects (on this thread: connecting blocks) and sends what waited for the connection.
    private func connectAndSend(_ batch: [Pending]) {
        lock.lock()
        let already = context != nil
        lock.unlock()
        if already {
            for pending in batch { resubmit(pending) }
            return
        }
        if let lastConnectFailure, lastConnectFailure.duration(to: .now) < Self.reconnectPause {
            let error = RedisError(code: .connectionFailed,
                                   message: "Redis (\(configuration.serverDescription)) is unreachable")
            batch.forEach { $0.completion(.failure(error)) }
            return
        }
        do {
            let commands = lock.withLock { connectCommands }
            let (fresh, epoch) = try Self.connect(configuration, then: commands)
            // From here on the socket is driven by poll(): hiredis must treat EAGAIN as "later".
            _ = fcntl(fresh.pointee.fd, F_SETFL, fcntl(fresh.pointee.fd, F_GETFL) | O_NONBLOCK)
            fresh.pointee.flags &= ~Int32(REDIS_BLOCK)
            lastConnectFailure = nil
            // Publish the context and queue everything that waited for it in one locked step,
            // so no caller's direct write can overtake a command submitted before it.
            lock.lock()
            context = fresh
            linkEpoch = epoch
            let waited = batch + waitingForConnection
            waitingForConnection.removeAll()
            generation += 1
            for pending in waited {
                output.append(contentsOf: pending.encoded)
                inFlight.append(InFlight(pending))
            }
            lock.unlock()
            connected.store(true, ordering: .relaxed)
            // The run loop writes them next (``writeQueuedOutput()``).
        } catch {
            // A refusal (wrong password, database, master name) is not retried at once either.
            lastConnectFailure = .now
            batch.forEach { $0.completion(.failure(error)) }
        }
    }

    /// Queues an already encoded command for the next ``writeQueuedOutput()``.
    private func resubmit(_ pending: Pending) {
        lock.lock()
        if context != nil && !closed {
            output.append(contentsOf: pending.encoded)
            inFlight.append(InFlight(pending))
        } else {
            waitingForConnection.append(pending)
        }
        lock.unlock()
    }

    /// Becomes the writer unless another thread is one, and writes everything queued (also what
    /// others append meanwhile) until the buffer is empty or the socket is full.
    ///
    /// The write runs without the lock; `writing` keeps other writers out and the context alive
    /// (see ``freeRetiredContexts()``), so the bytes stay in order and the socket valid.
    private func writeQueuedOutput() {
        lock.lock()
        guard !writing else {
            lock.unlock()
            return
        }
        writing = true
        while let context, !output.isEmpty, !socketFull {
            var taken: [UInt8] = []
            swap(&taken, &output)
            let socket = context.pointee.fd
            let writtenFor = generation
            lock.unlock()
            let result = Self.send(taken, to: socket)
            lock.lock()
            guard writtenFor == generation, self.context != nil else { continue }  // dropped meanwhile: those commands have failed
            switch result {
            case .success(let written) where written < taken.count:
                // The socket is full: the rest goes first once poll says it can take more.
                output.insert(contentsOf: taken[written...], at: 0)
                socketFull = true
            case .success:
                break
            case .failure(let problem):
                let failure = linkError(problem.reason)
                let failed = takeInFlightLocked()
                disconnectLocked()
                writing = false
                lock.unlock()
                failed.forEach { $0(.failure(failure)) }
                return
            }
        }
        writing = false
        let readerMustWatch = socketFull
        lock.unlock()
        // Only poll tells when a full socket takes more: make sure the reader asks it.
        if readerMustWatch { signalReader() }
    }

    /// Sleeps in poll until the socket has replies or can take more output, or a caller wakes it.
    private func waitForEvents() {
        lock.lock()
        let socket = context.flatMap { outstanding > 0 || !output.isEmpty ? $0.pointee.fd : nil }
        let wantsOutput = socketFull
        // Output queued since writeQueuedOutput() and no writer on it: look again at once.
        let timeout: Int32 = !output.isEmpty && !socketFull && !writing ? 0 : 1000
        readerSleepsBlind = socket == nil
        lock.unlock()
        var descriptors = [pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0)]
        if let socket {
            descriptors.append(pollfd(fd: socket, events: Int16(POLLIN) | (wantsOutput ? Int16(POLLOUT) : 0), revents: 0))
        }
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeout)
        if ready > 0, descriptors[0].revents != 0 {
            wakePipe.drain()
        }
        var failure: RedisError?
        lock.lock()
        readerSleepsBlind = false
        var readable = false
        if let context, descriptors.count > 1, context.pointee.fd == descriptors[1].fd {
            let events = descriptors[1].revents
            if events & Int16(POLLOUT) != 0 { socketFull = false }
            if events & (Int16(POLLIN) | Int16(POLLHUP) | Int16(POLLERR)) != 0 {
                readable = true
            } else if ready == 0, timeout > 0, let oldest = inFlight[safe: inFlightHead],
                      oldest.sentAt.duration(to: .now) > .seconds(configuration.timeoutSeconds) {
                failure = linkError("no reply within \(configuration.timeoutSeconds) s")
            }
        }
        // Under Sentinel a link to a master that has since been replaced is dropped, busy or idle.
        if failure == nil, context != nil, let sentinel = configuration.sentinel, sentinel.epoch != linkEpoch {
            failure = linkError("the sentinels moved the master to \(sentinel.currentMaster?.description ?? "?")")
            readable = false
        }
        let readerContext = readable ? context : nil
        lock.unlock()
        var completed: [(Completion, [RedisValue])] = []
        var failed: [Completion] = []
        if let readerContext {
            // Only this thread reads the socket and feeds hiredis' reader: no lock needed until
            // the replies are matched with the commands in flight.
            switch readReplies(readerContext) {
            case .success(let replies):
                lock.lock()
                completeLocked(with: replies, into: &completed)
                lock.unlock()
            case .failure(let error):
                failure = error
            }
        }
        if failure != nil {
            lock.lock()
            failed = takeInFlightLocked()
            disconnectLocked()
            lock.unlock()
        }
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

    /// Sends `bytes` until done or the socket is full; the count written, or why it failed.
    private static func send(_ bytes: [UInt8], to socket: Int32) -> Result<Int, SocketFailure> {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes {
                SwiftGlibc.send(socket, $0.baseAddress! + written, $0.count - written, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                written += count
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                break
            } else {
                return .failure(SocketFailure(reason: count == 0 ? "the socket took nothing" : String(cString: strerror(errno))))
            }
        }
        return .success(written)
    }

    /// Why a write to the socket failed.
    private struct SocketFailure: Error {
        let reason: String
    }

    private func takeInFlightLocked() -> [Completion] {
        let failed = inFlight[inFlightHead...].map(\.completion)
        inFlight.removeAll()
        inFlightHead = 0
        return failed
    }

    private func linkError(_ reason: String) -> RedisError {
        RedisError(code: .connectionFailed,
                   message: "lost the connection to Redis (\(configuration.serverDescription)): \(reason)")
    }

    /// Drops the context and whatever was queued for it. It is freed later by the reader thread
    /// (``freeRetiredContexts()``), which may still be using it right now.
    private func disconnectLocked() {
        if let context { retired.append(context) }
        context = nil
        output.removeAll()
        socketFull = false
        connected.store(false, ordering: .relaxed)
    }

    /// Frees dropped contexts, unless a writer may still be using one's socket (then next time).
    private func freeRetiredContexts() {
        lock.lock()
        guard !writing else {
            lock.unlock()
            return
        }
        let contexts = retired
        retired.removeAll()
        lock.unlock()
        contexts.forEach { redisFree($0) }
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

    /// Opens a blocking context to the server (under Sentinel: the master the sentinels name,
    /// confirmed with ROLE), sends AUTH and SELECT, then `commands`; also returns the Sentinel epoch
    /// of the link (0 without Sentinel).
    ///
    /// - Throws: `.refused` when the server answers AUTH, SELECT or `commands` with a refusal that
    ///   retrying will not cure (wrong password, unknown user, database out of range, or no master
    ///   of that name); `.connectionFailed` otherwise.
    static func connect(_ configuration: RedisConfiguration,
                        then commands: [[RedisArgument]] = []) throws -> (UnsafeMutablePointer<redisContext>, Int) {
        let timeout = timeval(tv_sec: configuration.timeoutSeconds, tv_usec: 0)
        guard let sentinel = configuration.sentinel else {
            let address = RedisAddress(host: configuration.host, port: configuration.port)
            return (try setUp(try open(address, timeout: timeout), configuration, commands), 0)
        }
        let master = try sentinel.discoverMaster()
        let context = try setUp(try open(master, timeout: timeout), configuration, [])
        switch reply(to: ["ROLE"], on: context) {
        case .success(let role) where role.array.first?.string == "master":
            break
        case .success(let role):
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: "the sentinels named \(master) as master \(sentinel.masterName), "
                             + "but it is a \(role.array.first?.string ?? "server of unknown role"); asking again")
        case .failure(let error):
            redisFree(context)
            // An ACL user without ROLE can never confirm a master: a configuration error (add +role).
            throw RedisError(code: error.message.hasPrefix("NOPERM") ? .refused : .connectionFailed,
                             message: "cannot confirm the master at \(master) with ROLE: \(error.message)")
        }
        // Only a confirmed master runs the connection's own commands (they may write).
        let ready = try setUp(context, configuration, commands, authenticate: false)
        return (ready, sentinel.confirmed(master))
    }

    /// Opens a blocking context with read/write timeouts.
    static func open(_ address: RedisAddress, timeout: timeval) throws -> UnsafeMutablePointer<redisContext> {
        guard let context = redisConnectWithTimeout(address.host, Int32(address.port), timeout) else {
            throw RedisError(code: .connectionFailed, message: "cannot allocate a Redis context")
        }
        if context.pointee.err != 0 {
            let reason = errorText(context)
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: "cannot connect to Redis at \(address): \(reason)")
        }
        _ = redisSetTimeout(context, timeout)
        return context
    }

    /// AUTH and SELECT (unless `authenticate` is false), then `commands`; frees the context on failure.
    private static func setUp(_ context: UnsafeMutablePointer<redisContext>, _ configuration: RedisConfiguration,
                              _ commands: [[RedisArgument]], authenticate: Bool = true) throws -> UnsafeMutablePointer<redisContext> {
        var setup: [[RedisArgument]] = []
        if authenticate, let password = configuration.password {
            setup.append(configuration.username.map { ["AUTH", RedisArgument($0), RedisArgument(password)] }
                         ?? ["AUTH", RedisArgument(password)])
        }
        if authenticate, configuration.database != 0 { setup.append(["SELECT", RedisArgument(configuration.database)]) }
        for (index, command) in (setup + commands).enumerated() {
            if case .failure(let problem) = reply(to: command, on: context) {
                // A login whose ACL forbids a connection command (a read-only console may not DEL) cannot
                // run what the command prepares for either (taking locks): it goes on without it.
                if index >= setup.count, problem.message.hasPrefix("NOPERM") { continue }
                redisFree(context)
                throw problem.code == .connectionFailed
                    ? problem
                    : RedisError(code: isTransient(problem.message) ? .connectionFailed : .refused,
                                 message: "Redis refused the connection: \(problem.message)")
            }
        }
        return context
    }

    /// Error replies that a later attempt may not get: loading, busy, a master without quorum, a replica.
    private static func isTransient(_ message: String) -> Bool {
        ["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "READONLY"].contains { message.hasPrefix($0) }
    }

    /// Runs one command on a context this thread owns: the reply, an error reply as `.commandFailed`,
    /// or `.connectionFailed` when the link failed.
    static func reply(to command: [RedisArgument], on context: UnsafeMutablePointer<redisContext>) -> Result<RedisValue, RedisError> {
        let raw = withArgv(command) { argc, argv, lengths in redisCommandArgv(context, argc, argv, lengths) }
        guard let raw else { return .failure(RedisError(code: .connectionFailed, message: errorText(context))) }
        defer { freeReplyObject(raw) }
        let value = RedisValue(reply: raw.assumingMemoryBound(to: redisReply.self))
        if case .error(let message) = value { return .failure(RedisError(code: .commandFailed, message: message)) }
        return .success(value)
    }

    static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafePointer(to: context.pointee.errstr) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: 128) { String(cString: $0) }
        }
    }
}

/// The Redis wire format of a command: an array of bulk strings.
enum RESP {
    /// Appends `*argc\r\n` then `$len\r\nbytes\r\n` per argument.
    static func encode(_ command: [RedisArgument], into buffer: inout [UInt8]) {
        buffer.reserveCapacity(buffer.count + 16 + command.reduce(0) { $0 + $1.bytes.count + 16 })
        buffer.append(UInt8(ascii: "*"))
        appendDecimal(command.count, to: &buffer)
        for argument in command {
            buffer.append(UInt8(ascii: "$"))
            appendDecimal(argument.bytes.count, to: &buffer)
            buffer.append(contentsOf: argument.bytes)
            buffer.append(UInt8(ascii: "\r"))
            buffer.append(UInt8(ascii: "\n"))
        }
    }

    /// `value` in decimal followed by CRLF.
    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var remaining = value
        var count = 0
        withUnsafeMutableBytes(of: &digits) { slots in
            repeat {
                slots[19 - count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            } while remaining > 0
            buffer.append(contentsOf: slots[(20 - count)...])
        }
        buffer.append(UInt8(ascii: "\r"))
        buffer.append(UInt8(ascii: "\n"))
    }
}
