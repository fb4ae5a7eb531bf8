/// An error talking to Redis: the server's error reply, or a connection problem.
public struct RedisError: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The server answered the command with an error reply (`ERR …`, `WRONGTYPE …`).
        public static let commandFailed = Code("command_failed")
        /// The server does not know the script's SHA (after a restart or `SCRIPT FLUSH`).
        public static let noScript = Code("no_script")
        /// Redis could not be reached or the connection broke mid-command.
        public static let connectionFailed = Code("connection_failed")
        /// The server answered, and refused this client for good: a wrong password or ACL user, a
        /// database index out of range, or no master of that name under Sentinel. A configuration
        /// error, not an outage: retrying will not help.
        public static let refused = Code("refused")
        /// The URL could not be understood.
        public static let invalidConfiguration = Code("invalid_configuration")
        /// The client has been closed.
        public static let closed = Code("closed")
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// True when the failure says nothing about the command and everything about the link. A
    /// refusal counts too: once running, a server that starts refusing (a password rotated under
    /// the process) is an outage like any other; at start it is a configuration error instead.
    public var isConnectionFailure: Bool { code == .connectionFailed || code == .closed || code == .refused }

    public var description: String {
        code == .commandFailed || code == .noScript ? "Redis \(code): \(message)" : message
    }
}
