import Foundation

/// One operation the console ran on the operator's behalf.
struct CommandLogEntry: Equatable, Sendable {
    var at: Date
    var action: ConsoleAction
    var lockKey: String
    var outcome: ActionOutcome
    var duration: TimeInterval
}
