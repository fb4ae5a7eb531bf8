import Foundation
import MarketCore

/// The core's plan of the action a dialog confirms, with its preflight, as dialog lines: what
/// the dialog shows under the operator's own description of the row. Every lock key, table and
/// row here is the plan's (``Market/plan(_:)``); the console writes none of its own.
struct PlannedAction: Equatable, Sendable {
    /// nil when the plan could not be read: the dialog then cannot confirm.
    var plan: ActionPlan?
    var lines: [String]
    /// True when the probe found nothing in the way.
    var clear: Bool

    init(plan: ActionPlan?, lines: [String], clear: Bool) {
        self.plan = plan
        self.lines = lines
        self.clear = clear
    }

    /// A plan and what its probe found (`report` nil when the probe failed with `probeError`).
    init(plan: ActionPlan, report: PreflightReport?, probeError: (any Error)? = nil, now: Date = Date()) {
        var lines = Self.lines(of: plan)
        if let report {
            lines += Self.lines(of: report, now: now)
        } else {
            lines.append("Now: could not probe the lock and rows: \(probeError.map { "\($0)" } ?? "no answer")")
        }
        self.init(plan: plan, lines: lines, clear: report.map { $0.lockHolder == nil && $0.rowsFree } ?? false)
    }

    /// The plan: its lock, its rows in order, the money, the version, the second operator.
    static func lines(of plan: ActionPlan) -> [String] {
        var lines = [plan.takesOverLock ? "Takes over lock \(plan.lockKey) from its holder; locks no row of the market."
                                        : "Lock \(plan.lockKey), then rows locked in this order:"]
        // Rows alike (a proposal's offered NFTs) share a line, so a long plan still fits the screen.
        var first = 0
        while first < plan.rows.count {
            let row = plan.rows[first]
            var last = first
            while last + 1 < plan.rows.count, plan.rows[last + 1].table == row.table, plan.rows[last + 1].role == row.role,
                  plan.rows[last + 1].lockMode == row.lockMode {
                last += 1
            }
            lines.append(last == first ? "  \(first + 1). \(row.table) \(row.id): \(row.role) (FOR \(row.lockMode))"
                         : "  \(first + 1)–\(last + 1). \(row.table) \(plan.rows[first...last].map { String($0.id) }.joined(separator: ", ")): "
                             + "\(row.role) each (FOR \(row.lockMode))")
            first = last + 1
        }
        for movement in plan.movements {
            lines.append("Moves \(TON.format(movement.amount)) to \(movement.to), from \(movement.from)"
                         + (movement.condition.map { " — \($0)" } ?? "") + ".")
        }
        if plan.movements.isEmpty && !plan.takesOverLock { lines.append("Moves no money.") }
        if let version = plan.requiredVersion {
            lines.append("Runs only at version \(version), as you saw it; refused if it changed since.")
        }
        if plan.needsSecondOperator {
            lines.append("Two-person rule: confirming files a request; it runs, locking these rows, when another operator approves.")
        }
        return lines
    }

    /// What stands in the way now: the lock's holder and each held row's session, by name.
    static func lines(of report: PreflightReport, now: Date) -> [String] {
        var lines: [String] = []
        if let holder = report.lockHolder {
            let held = now.timeIntervalSince(Date(timeIntervalSince1970: Double(holder.acquiredAtMilliseconds) / 1000))
            lines.append("Now: lock \(report.lockKey) is held by \(holder.host):\(holder.pid) (\(holder.operation)) for \(Int(held)) s; "
                         + "the action waits for it (\(holder.ttlLeftMilliseconds) ms of lease left)")
        } else {
            lines.append("Now: lock \(report.lockKey) is free")
        }
        if report.rows.isEmpty { return lines }
        if report.rowsFree {
            lines.append("Now: every row can be locked")
            return lines
        }
        for probe in report.rows where !probe.free {
            let what = "\(probe.row.table) \(probe.row.id) (\(probe.row.role))"
            guard let holder = probe.holder else {
                lines.append("Now: \(what) is locked by a transaction that could not be named")
                continue
            }
            let open = holder.transactionStart.map { " for \(Int(now.timeIntervalSince($0))) s" } ?? ""
            let application = holder.application.isEmpty ? "" : ", \(holder.application)"
            lines.append("Now: \(what) is held by pid \(holder.pid) (login \(holder.login)\(application), \(holder.state)\(open)): "
                         + holder.query)
        }
        lines.append("The action waits for those rows up to its lock timeout, then gives up and changes nothing.")
        return lines
    }
}
