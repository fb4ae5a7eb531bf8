import Foundation
import Synchronization

/// A small HTTP/1.1 listener for a metrics endpoint, on one OS thread of its own.
///
/// ```swift
/// let server = try MetricsHTTPServer(listen: "127.0.0.1:9464") { request in
///     MetricsHTTPServer.Response(status: 200, contentType: "text/plain; version=0.0.4", body: Array(text.utf8))
/// }
/// defer { server.close() }
/// ```
/// Connections are served one at a time, each with `Connection: close`: a Prometheus scrape is
/// one request per interval, and serving them in turn means the handler never runs twice at once.
/// A client gets 5 s to send its request head and to take the reply, so a slow one cannot hold the
/// endpoint longer, and a handler gets `handlerTimeout` before its client gets 503. The handler's
/// task runs on Swift's pool; the listener's thread waits for it and blocks nothing else. `GET` and `HEAD` reach the handler (`HEAD` gets the headers alone); other
/// methods get 405, a malformed request 400, a head over 16 KiB 431.
public final class MetricsHTTPServer: Sendable {
    /// One request as the handler sees it.
    public struct Request: Sendable, Equatable {
        /// `GET` or `HEAD`.
        public var method: String
        /// The target without its query string, e.g. `/metrics`.
        public var path: String
        /// The `Accept` header, empty when absent.
        public var accept: String

        public init(method: String, path: String, accept: String) {
            self.method = method
            self.path = path
            self.accept = accept
        }
    }

    /// The handler's reply.
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]

        public init(status: Int, contentType: String, body: [UInt8]) {
            self.status = status
            self.contentType = contentType
            self.body = body
        }

        /// A plain-text reply.
        public static func text(_ status: Int, _ text: String) -> Response {
            Response(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
        }
    }

    /// The address the listener is bound to.
    public let host: String
    /// The port it is bound to (the kernel's choice when asked for port 0).
    public let port: Int

    private let listener: Int32
    private let handlerTimeout: Duration
    private let wake = WakePipe()
    private let stopping = Atomic<Bool>(false)
    private let finished = OneShotSignal()

    /// Binds `listen` (`HOST:PORT`, `[IPv6]:PORT` or `:PORT` for every interface) and starts serving.
    ///
    /// - Throws: ``MetricsHTTPServerError`` saying what could not be bound and why.
    ///
    /// - Parameter handlerTimeout: a handler still running after this is cancelled and its client
    ///   gets 503 (Prometheus gives up on a scrape after 10 s by default).
    public init(listen: String, threadName: String = "metrics-http", handlerTimeout: Duration = .seconds(10),
                handler: @escaping @Sendable (Request) async -> Response) throws {
        let (host, port) = try MetricsHTTPServerError.parse(listen)
        let (descriptor, boundPort) = try Self.bind(host: host, port: port, listen: listen)
        self.host = host
        self.port = boundPort
        self.listener = descriptor
        self.handlerTimeout = handlerTimeout
        Thread.start(named: threadName) { [self] in
            serve(handler)
            finished.fire()
        }
    }

    /// Stops accepting and closes the listening socket once the request in hand (if any) is answered.
    public func close() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake.signal()
    }

    /// ``close()``, then waits (at most `timeout`) until the listener's thread has ended.
    public func shutdown(timeout: Duration = .seconds(10)) async {
        close()
        _ = try? await finished.wait(timeout: timeout)
    }

    // MARK: - Serving

    private func serve(_ handler: @escaping @Sendable (Request) async -> Response) {
        defer { Foundation.close(listener) }
        while !stopping.load(ordering: .acquiring) {
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 2, -1) > 0 else { continue }
            if descriptors[1].revents != 0 { wake.drain() }
            guard descriptors[0].revents != 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            answer(client, handler)
            Foundation.close(client)
        }
    }

    private func answer(_ client: Int32, _ handler: @escaping @Sendable (Request) async -> Response) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var noSignal: Int32 = 1
        #if !os(Linux)
        _ = setsockopt(client, SOL_SOCKET, SO_NOSIGPIPE, &noSignal, socklen_t(MemoryLayout<Int32>.size))
        #else
        _ = noSignal
        #endif

        let head: [UInt8]
        switch Self.readHead(client) {
        case .head(let bytes): head = bytes
        case .tooLarge: return send(.text(431, "request header fields too large\n"), to: client, withBody: true)
        case .closed: return
        }
        let parsed = HTTPRequestHead(head)
        guard let request = parsed.request else { return send(.text(400, "bad request\n"), to: client, withBody: true) }
        guard request.method == "GET" || request.method == "HEAD" else {
            return send(.text(405, "only GET and HEAD\n"), to: client, withBody: true, extraHeaders: "Allow: GET, HEAD\r\n")
        }
        let result = Mutex<Response?>(nil)
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            let response = await handler(request)
            result.withLock { $0 = response }
            done.signal()
        }
        var response: Response
        if done.wait(timeout: .now() + .milliseconds(Int(handlerTimeout.milliseconds))) == .timedOut {
            task.cancel()
            response = .text(503, "the handler took longer than \(handlerTimeout)\n")
            // The next request waits for the cancelled one: handlers never run two at a time.
            done.wait()
        } else {
            response = result.withLock { $0 } ?? .text(500, "no response\n")
        }
        send(response, to: client, withBody: request.method != "HEAD")
    }

    private enum Head {
        case head([UInt8])
        case tooLarge
        case closed
    }

    private static let maximumHead = 16 * 1024

    /// Reads until the blank line that ends the request head.
    private static func readHead(_ client: Int32) -> Head {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return bytes.isEmpty ? .closed : .head(bytes) }
            bytes.append(contentsOf: chunk[0..<count])
            if let end = HTTPRequestHead.endOfHead(in: bytes) { return end <= maximumHead ? .head(bytes) : .tooLarge }
            if bytes.count > maximumHead { return .tooLarge }
        }
    }

    private func send(_ response: Response, to client: Int32, withBody: Bool, extraHeaders: String = "") {
        let head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
            + "Content-Type: \(response.contentType)\r\n"
            + "Content-Length: \(response.body.count)\r\n"
            + extraHeaders
            + "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if withBody { bytes += response.body }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { buffer in
                #if os(Linux)
                Foundation.send(client, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
                #else
                Foundation.send(client, buffer.baseAddress, buffer.count, 0)
                #endif
            }
            if written <= 0 { return }
            offset += written
        }
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 431: "Request Header Fields Too Large"
        case 503: "Service Unavailable"
        default: status < 400 ? "OK" : "Error"
        }
    }

    // MARK: - Binding

    private static func bind(host: String, port: Int, listen: String) throws -> (Int32, Int) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            throw MetricsHTTPServerError(listen: listen, reason: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let descriptor = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard descriptor >= 0 else { lastError = String(cString: strerror(errno)); continue }
            var reuse: Int32 = 1
            _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            guard Foundation.bind(descriptor, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0,
                  Foundation.listen(descriptor, 64) == 0 else {
                lastError = String(cString: strerror(errno))
                Foundation.close(descriptor)
                continue
            }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            let family = Int32(address.ss_family)
            let boundPort = withUnsafePointer(to: &address) { pointer -> Int in
                if family == AF_INET6 {
                    return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
                }
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
            return (descriptor, boundPort)
        }
        throw MetricsHTTPServerError(listen: listen, reason: lastError)
    }
}

/// Why a ``MetricsHTTPServer`` could not listen: a malformed address or a failed bind.
public struct MetricsHTTPServerError: Error, CustomStringConvertible, Sendable {
    /// The `HOST:PORT` asked for.
    public var listen: String
    /// What went wrong, e.g. `Address already in use`.
    public var reason: String

    public var description: String { "cannot listen on \(listen): \(reason)" }

    /// Splits `HOST:PORT`, `[IPv6]:PORT` or `:PORT`.
    static func parse(_ listen: String) throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":") else {
            throw MetricsHTTPServerError(listen: listen, reason: "expected HOST:PORT, e.g. 127.0.0.1:9464")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw MetricsHTTPServerError(listen: listen, reason: "the port must be a number from 0 to 65535")
        }
        return (host, port)
    }
}
