/// How an action ended, with the exit status the headless `action` command reports.
enum ActionOutcome: Equatable, Sendable {
    /// The core ran it; what it did.
    case done(String)
    /// A rule refused it (the row changed, the auction already settled…).
    case refused(String)
    /// The operator's role may not take it.
    case forbidden(String)
    /// PostgreSQL or Redis could not be reached, or the outcome is unknown.
    case unavailable(String)

    /// 0 done, 1 refused by a rule, 3 not permitted, 4 infrastructure unavailable (2 is bad usage).
    var exitStatus: Int32 {
        switch self {
        case .done: 0
        case .refused: 1
        case .forbidden: 3
        case .unavailable: ServersUnavailable.exitStatus
        }
    }

    var message: String {
        switch self {
        case .done(let text), .refused(let text), .forbidden(let text), .unavailable(let text): text
        }
    }

    var label: String {
        switch self {
        case .done: "done"
        case .refused: "refused"
        case .forbidden: "forbidden"
        case .unavailable: "unavailable"
        }
    }
}
