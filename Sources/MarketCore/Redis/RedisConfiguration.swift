import Foundation

/// Where Redis is: parsed from `redis://[[user]:password@]host:port/db`, or, under Sentinel, from
/// `redis-sentinel://[[user:]password@]host1:port1[,host2:port2…][/db]#master` (Lettuce's form).
///
/// The password is sent with `AUTH` after connecting and never appears in ``redactedURL``. Under
/// Sentinel the master's address is asked of the sentinels on every (re)connection (see
/// ``SentinelDiscovery``); `host` and `port` then name the first sentinel.
public struct RedisConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var database: Int
    /// Sent with AUTH; never log it.
    public var password: String?
    public var username: String?
    /// Seconds to wait for a connection or a reply before the link counts as failed.
    public var timeoutSeconds: Int = 5
    /// Prefix of every key this process writes, so tests and deployments can share a server.
    public var namespace: String = "mc:"
    /// Set for a `redis-sentinel://` URL: the sentinels and the master's name, shared by every
    /// connection made from this configuration (and its copies).
    public let sentinel: SentinelDiscovery?

    /// Parses `url`. `sentinelPassword` is what the sentinels themselves ask for (`requirepass` in
    /// their configuration), which may differ from the master's; it needs a `redis-sentinel://` URL.
    public init(url: String, sentinelPassword: String? = nil) throws {
        let sentinelPassword = sentinelPassword.flatMap { $0.isEmpty ? nil : $0 }
        if sentinelPassword != nil && !url.hasPrefix("redis-sentinel://") {
            throw RedisError(code: .invalidConfiguration,
                             message: "a sentinel password was given, but the Redis URL \(Self.redact(url)) is not a redis-sentinel:// URL")
        }
        if url.hasPrefix("redis-sentinel://") {
            let parsed = try Self.parseSentinelURL(url)
            host = parsed.sentinels[0].host
            port = parsed.sentinels[0].port
            database = parsed.database
            username = parsed.username
            password = parsed.password
            sentinel = SentinelDiscovery(sentinels: parsed.sentinels, masterName: parsed.masterName,
                                         password: sentinelPassword)
            return
        }
        guard let components = URLComponents(string: url), components.scheme == "redis",
              let host = components.host, !host.isEmpty
        else {
            throw RedisError(code: .invalidConfiguration,
                             message: "invalid Redis URL \(Self.redact(url)): expected redis://host:port/db or redis-sentinel://host:port,host:port/db#master")
        }
        self.host = host
        self.port = components.port ?? 6379
        self.database = try Self.database(components.path, url: url)
        self.password = components.password.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        self.username = components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        self.sentinel = nil
    }

    /// `redis-sentinel://[[user:]password@]host1[:port1][,host2[:port2]…][/db]#master`: URLComponents
    /// cannot parse several hosts, so this does it by hand. A sentinel's port defaults to 26379.
    private static func parseSentinelURL(_ url: String) throws
        -> (sentinels: [RedisAddress], masterName: String, database: Int, username: String?, password: String?) {
        func invalid(_ reason: String) -> RedisError {
            RedisError(code: .invalidConfiguration, message: "invalid Redis Sentinel URL \(Self.redact(url)): \(reason)")
        }
        var rest = Substring(url.dropFirst("redis-sentinel://".count))
        guard let hash = rest.lastIndex(of: "#") else {
            throw invalid("the master's name is missing (…#mymaster)")
        }
        let masterName = String(rest[rest.index(after: hash)...]).removingPercentEncoding ?? ""
        guard !masterName.isEmpty else { throw invalid("the master's name after # is empty") }
        rest = rest[..<hash]
        if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
        var credentials: Substring?
        if let at = rest.lastIndex(of: "@") {
            credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        var sentinels: [RedisAddress] = []
        for part in rest.split(separator: ",", omittingEmptySubsequences: false) {
            guard let address = RedisAddress(parsing: part, defaultPort: 26379) else {
                throw invalid("\"\(part)\" is not host:port")
            }
            sentinels.append(address)
        }
        guard !sentinels.isEmpty else { throw invalid("no sentinel given") }
        var username: String?
        var password: String?
        if let credentials {
            // Lettuce's `[[user:]password@]`: a lone word is the password.
            let colon = credentials.firstIndex(of: ":")
            let user = colon.map { credentials[..<$0] } ?? ""
            let secret = colon.map { credentials[credentials.index(after: $0)...] } ?? credentials
            username = user.isEmpty ? nil : String(user).removingPercentEncoding
            password = secret.isEmpty ? nil : String(secret).removingPercentEncoding
        }
        return (sentinels, masterName, try database(path, url: url), username, password)
    }

    private static func database(_ path: String, url: String) throws -> Int {
        let trimmed = path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard trimmed.isEmpty || Int(trimmed) != nil else {
            throw RedisError(code: .invalidConfiguration,
                             message: "invalid Redis URL \(redact(url)): database must be a number, got \"\(trimmed)\"")
        }
        return Int(trimmed) ?? 0
    }

    /// `redis://host:port/db` (or the `redis-sentinel://` form), without credentials.
    public var redactedURL: String {
        guard let sentinel else { return "redis://\(host):\(port)/\(database)" }
        return "redis-sentinel://\(sentinel.sentinels.map(\.description).joined(separator: ","))/\(database)#\(sentinel.masterName)"
    }

    /// The server commands go to: the fixed address, or the master the sentinels named last.
    var serverDescription: String {
        guard let sentinel else { return "\(host):\(port)" }
        return sentinel.currentMaster.map { "master \(sentinel.masterName) at \($0)" } ?? "master \(sentinel.masterName)"
    }

    static func redact(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(url[at...])
    }
}

/// A Redis server's `host:port`.
public struct RedisAddress: Hashable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host`, `host:port` or `[v6]:port`; nil when the port is not a number in 1…65535.
    init?(parsing text: Substring, defaultPort: Int) {
        var host = text
        var port = defaultPort
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()) else { return nil }
                port = number
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            guard let number = Int(text[text.index(after: colon)...]) else { return nil }
            port = number
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
        self.host = String(host)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
