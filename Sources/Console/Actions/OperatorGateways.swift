import Foundation
import MarketCore

/// The market the console's operator actions run through.
enum OperatorMarket {
    /// The environment variable naming the actions under the two-person rule: a comma-separated
    /// list of action names, or `none`. `migrate` (the schema's owner) writes it into the database,
    /// which enforces it; unset leaves the database's list as it is (force-complete-transfer at first).
    static let twoPersonVariable = "MARKET_TWO_PERSON_ACTIONS"

    /// A market over `services` with the gateways operator actions call out through. Refuses (as
    /// bad usage, exit 2) a two-person list naming an action that cannot wait for approval.
    static func make(_ services: MarketServices, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Market {
        _ = try twoPersonActions(environment[twoPersonVariable])
        return Market(services: services, gateways: gateways())
    }

    /// The actions `setting` names, nil when unset; never an action that cannot wait for approval.
    static func twoPersonActions(_ setting: String?) throws -> Set<OperatorAction>? {
        guard let setting, !setting.isEmpty else { return nil }
        if setting == "none" { return [] }
        var actions: Set<OperatorAction> = []
        for name in setting.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let action = OperatorAction(rawValue: name) else {
                throw UsageError("\(twoPersonVariable): unknown action '\(name)'; the actions are "
                                 + OperatorAction.allCases.map(\.rawValue).joined(separator: ", ") + ", or none")
            }
            guard action.canWaitForApproval else { throw UsageError("\(twoPersonVariable): \(Market.cannotWait(action))") }
            actions.insert(action)
        }
        return actions
    }

    /// The login this process acts as must be the one `--operator` names, if it names one: who
    /// acts is who PostgreSQL authenticated, never a flag.
    static func requireLogin(_ claimed: String?, is identity: OperatorLogin) throws {
        guard let claimed, claimed != identity.login else { return }
        throw UsageError("--operator \(claimed) is not who PostgreSQL authenticated (login \(identity.login)): operators act as "
                         + "their own login; connect as \(claimed) (DATABASE_URL's user) to act as them")
    }

    /// Telegram and TON are simulated by design in this product; an operator's retry sees the
    /// simulated gateway answer at once, with no injected failures.
    static func gateways() -> Gateways {
        let simulated = SimulatedGateways(behaviour: .init())
        return Gateways(telegram: simulated, ton: simulated,
                        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50), maxDelay: .milliseconds(500)))
    }
}
