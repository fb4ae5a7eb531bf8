import Foundation
import MarketCore

/// The market the console's operator actions run through.
enum OperatorMarket {
    /// The environment variable naming the actions under the two-person rule: a comma-separated
    /// list of action names, or `none`; unset means the core's default (force-complete-transfer).
    static let twoPersonVariable = "MARKET_TWO_PERSON_ACTIONS"

    /// A market over `services` with the gateways operator actions call out through and the
    /// deployment's two-person rule.
    static func make(_ services: MarketServices, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Market {
        Market(services: services, gateways: gateways(), twoPersonActions: try twoPersonActions(environment[twoPersonVariable]))
    }

    static func twoPersonActions(_ setting: String?) throws -> Set<OperatorAction> {
        guard let setting, !setting.isEmpty else { return Market.defaultTwoPersonActions }
        if setting == "none" { return [] }
        var actions: Set<OperatorAction> = []
        for name in setting.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let action = OperatorAction(rawValue: name) else {
                throw UsageError("\(twoPersonVariable): unknown action '\(name)'; the actions are "
                                 + OperatorAction.allCases.map(\.rawValue).joined(separator: ", ") + ", or none")
            }
            actions.insert(action)
        }
        return actions
    }

    /// Telegram and TON are simulated by design in this product; an operator's retry sees the
    /// simulated gateway answer at once, with no injected failures.
    static func gateways() -> Gateways {
        let simulated = SimulatedGateways(behaviour: .init())
        return Gateways(telegram: simulated, ton: simulated,
                        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50), maxDelay: .milliseconds(500)))
    }
}
