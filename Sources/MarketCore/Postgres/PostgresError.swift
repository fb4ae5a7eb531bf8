/// An error from PostgreSQL or from libpq, with the server's SQLSTATE when there is one.
///
/// Match on ``code`` to tell failures apart; `description` carries no SQL values or secrets, the
/// server's detail is in `debugDescription`.
public struct PostgresError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    /// What kind of failure this is. Open for growth: compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// SQLSTATE 40001: the transaction could not be serialized; retry it.
        public static let serializationFailure = Code("serialization_failure")
        /// SQLSTATE 40P01: a deadlock was detected and this transaction was chosen to abort.
        public static let deadlockDetected = Code("deadlock_detected")
        /// SQLSTATE 55P03: `lock_timeout` or `NOWAIT` could not get a row or advisory lock.
        public static let lockNotAvailable = Code("lock_not_available")
        /// SQLSTATE 23505: a unique constraint was violated.
        public static let uniqueViolation = Code("unique_violation")
        /// SQLSTATE 57014: the statement was cancelled (task cancellation or statement timeout).
        public static let queryCanceled = Code("query_canceled")
        /// The connection is gone (network, server restart, terminated backend).
        public static let connectionLost = Code("connection_lost")
        /// The connection could not be opened.
        public static let connectionFailed = Code("connection_failed")
        /// The connection string could not be parsed.
        public static let invalidConfiguration = Code("invalid_configuration")
        /// No pooled connection became free within the acquire timeout.
        public static let poolTimeout = Code("pool_timeout")
        /// The pool has been closed.
        public static let poolClosed = Code("pool_closed")
        /// A row value could not be decoded into the requested Swift type.
        public static let decodingFailed = Code("decoding_failed")
        /// Any other server error; see ``PostgresError/sqlState``.
        public static let server = Code("server_error")
    }

    public var code: Code
    /// The five-character SQLSTATE the server sent, if any.
    public var sqlState: String?
    /// The server's or libpq's primary message.
    public var message: String
    /// The server's detail line, if any (may contain values: only in `debugDescription`).
    public var detail: String?

    public init(code: Code, sqlState: String? = nil, message: String, detail: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
    }

    /// Builds an error from a SQLSTATE, choosing the matching ``Code``.
    init(sqlState: String?, message: String, detail: String?, connectionLost: Bool) {
        let code: Code
        switch sqlState {
        case _ where connectionLost: code = .connectionLost
        case "40001": code = .serializationFailure
        case "40P01": code = .deadlockDetected
        case "55P03": code = .lockNotAvailable
        case "23505": code = .uniqueViolation
        case "57014": code = .queryCanceled
        default: code = .server
        }
        self.init(code: code, sqlState: sqlState, message: message, detail: detail)
    }

    /// True for the conflicts a Unit of Work retries: serialization failures and deadlocks.
    public var isTransientConflict: Bool { code == .serializationFailure || code == .deadlockDetected }

    public var description: String {
        // These messages already say what failed, in the words an operator needs.
        if [.connectionFailed, .invalidConfiguration, .poolTimeout, .poolClosed].contains(code) { return message }
        if let sqlState { return "PostgreSQL \(code) (\(sqlState)): \(message)" }
        return "PostgreSQL \(code): \(message)"
    }

    public var debugDescription: String {
        description + (detail.map { " — \($0)" } ?? "")
    }
}
