import CLibPQ

/// How to reach PostgreSQL and how large a pool to keep.
///
/// The URL is a libpq connection URI (`postgresql://user:secret@host:5432/db`); it is validated
/// here so a typo fails at start-up with one clear line. The password never appears in
/// ``redactedURL`` or in any error this package produces.
///
/// One parameter is ours, not libpq's, and is taken out before libpq sees the URL:
/// `pooler=transaction` (`postgresql://…/market?pooler=transaction`, or `pooler=transaction` in the
/// key=value form) says a pooler such as PgBouncer in `pool_mode=transaction` stands between us
/// and the server, which may hand each transaction to a different server session. See
/// ``transactionPooler``.
public struct PostgresConfiguration: Sendable {
    /// The libpq URI or key=value connection string, without our own `pooler` parameter. Holds
    /// the password: never log it.
    public var url: String
    /// True behind a transaction pooler (`pooler=transaction`): no state is left in a session
    /// beyond one transaction. Statements go through the unnamed statement only (as asyncpg's
    /// `statement_cache_size=0` and pgx's exec mode), and the session settings that otherwise
    /// travel in the startup packet (`TimeZone`, `DateStyle`, `search_path`,
    /// `idle_in_transaction_session_timeout`) are set with `set_config(…, true)` at the start of
    /// every transaction, in its first round trip.
    public var transactionPooler = false
    /// The longest a transaction of ours may sit idle before the server ends its session
    /// (`idle_in_transaction_session_timeout`); nil leaves the server's setting. ``MarketServices``
    /// sets it to half the default lock lease, so a frozen holder loses its row locks before it
    /// loses its lease.
    public var idleInTransactionTimeout: Duration?
    /// Shown in `pg_stat_activity.application_name`: `market-console host:pid`, so the console can
    /// match a Redis lock's holder to its PostgreSQL sessions.
    public var applicationName: String = String("market-console \(ProcessIdentity.current.name)".utf8.prefix(63)) ?? "market-console"
    /// A schema to put first on `search_path` (tests give each test its own).
    public var schema: String?
    /// The most connections the pool opens.
    public var maxConnections: Int = 16
    /// How long `withConnection` waits for a free connection before failing with `.poolTimeout`.
    public var acquireTimeout: Duration = .seconds(5)
    /// Seconds libpq waits for a new connection.
    public var connectTimeoutSeconds: Int = 5
    /// A connection idle longer than this is checked with a round trip before it is lent out.
    public var healthCheckAfterIdle: Duration = .seconds(10)

    /// Validates `url` with libpq's own parser, after taking out our `pooler` parameter.
    public init(url: String) throws {
        let (url, pooler) = try PoolerParameter.extract(from: url)
        transactionPooler = pooler
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "unparseable"
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(code: .invalidConfiguration,
                                message: "invalid database URL: \(reason.firstLine)")
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "port", let value = option.pointee.val.map({ String(cString: $0) }),
               value.split(separator: ",").contains(where: { UInt16($0) == nil }) {
                throw PostgresError(code: .invalidConfiguration,
                                    message: "invalid database URL \(Self.redact(url)): port \"\(value)\" is not a number")
            }
            option += 1
        }
        self.url = url
    }

    /// The connection's parameters as libpq resolves them (`host`, `port`, `user`, `dbname`, …),
    /// for handing to libpq-based tools through `PG*` environment variables.
    public func connectionParameters() throws -> [(String, String)] {
        var errorMessage: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &errorMessage) else {
            if let errorMessage { PQfreemem(errorMessage) }
            throw PostgresError(code: .invalidConfiguration, message: "invalid database URL \(redactedURL)")
        }
        defer { PQconninfoFree(options) }
        var parameters: [(String, String)] = []
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val { parameters.append((String(cString: keyword), String(cString: value))) }
            option += 1
        }
        return parameters
    }

    /// The URL with any password replaced by `***`, for status lines and logs.
    public var redactedURL: String { Self.redact(url) }

    static func redact(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else {
            // key=value form: hide a password=… pair.
            return url.split(separator: " ").map { $0.hasPrefix("password=") ? "password=***" : String($0) }
                .joined(separator: " ")
        }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
