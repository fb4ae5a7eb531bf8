import Foundation
import MarketCore

/// One operation the console ran on the operator's behalf, with what the core ran for it.
struct CommandLogEntry: Equatable, Sendable {
    var at: Date
    var action: OperatorActionRequest
    var outcome: ActionOutcome
    /// The locks it took and the statements it ran, in order (``ExecutionRecord``).
    var ran: [ExecutedStep]
    var duration: TimeInterval

    /// The distributed lock it took (or took over), as the record names it; "" when it took none.
    var lock: String {
        ran.first { $0.kind == .lock }?.text ?? ""
    }

    /// What ran, one round trip after another by its last statement (the ones sent ahead of it —
    /// BEGIN and the session settings, the fence check before COMMIT — are in the full record),
    /// each with how long it took: `SELECT mc_op_cancel_auction($1, $2, $3, $4) 3.1 ms · COMMIT 0.8 ms`.
    var statements: String {
        ran.filter { $0.kind != .lock }.map { step in
            "\(step.text.components(separatedBy: "; ").last ?? step.text) " + String(format: "%.1f ms", step.duration.milliseconds)
                + (step.failure.map { " (failed: \($0))" } ?? "")
        }.joined(separator: " · ")
    }
}
