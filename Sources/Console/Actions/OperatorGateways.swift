import MarketCore

/// The gateways operator actions call out through (a retried channel transfer asks Telegram).
///
/// Telegram and TON are simulated by design in this product; an operator's retry sees the
/// simulated gateway answer at once, with no injected failures.
enum OperatorGateways {
    static func make() -> Gateways {
        let simulated = SimulatedGateways(behaviour: .init())
        return Gateways(telegram: simulated, ton: simulated,
                        retry: RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50), maxDelay: .milliseconds(500)))
    }
}
