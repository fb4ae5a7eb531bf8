import MarketCore
import MarketEmbedded

/// Errors that say the servers could not be reached, or went away — not that the work was wrong.
///
/// Every headless command exits with ``exitStatus`` for them, so a script can tell "the market is
/// down" from "the check found violations" or "the action was refused" (both 1).
enum ServersUnavailable {
    static let exitStatus: Int32 = 4

    static func matches(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresError:
            [.connectionFailed, .connectionLost, .poolTimeout, .poolClosed].contains(error.code)
                || error.sqlState?.hasPrefix("57P") == true  // the server shutting down or starting up
        case let error as ReadPoolError:
            matches(error.underlying)
        case let error as RedisError:
            error.isConnectionFailure && error.code != .refused
        case is EmbeddedServersError:
            true
        default:
            false
        }
    }
}
