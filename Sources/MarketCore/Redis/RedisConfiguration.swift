import Foundation

/// Where Redis is: parsed from `redis://[:password@]host:port/db`.
///
/// The password is sent with `AUTH` after connecting and never appears in ``redactedURL``.
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

    public init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "redis",
              let host = components.host, !host.isEmpty
        else {
            throw RedisError(code: .invalidConfiguration,
                             message: "invalid Redis URL \(Self.redact(url)): expected redis://host:port/db")
        }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        guard path.isEmpty || Int(path) != nil else {
            throw RedisError(code: .invalidConfiguration,
                             message: "invalid Redis URL \(Self.redact(url)): database must be a number, got \"\(path)\"")
        }
        self.host = host
        self.port = components.port ?? 6379
        self.database = Int(path) ?? 0
        self.password = components.password.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
        self.username = components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding }
    }

    /// `redis://host:port/db`, without credentials.
    public var redactedURL: String { "redis://\(host):\(port)/\(database)" }

    static func redact(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(url[at...])
    }
}
