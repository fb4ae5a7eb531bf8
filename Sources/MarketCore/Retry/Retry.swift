/// What a failed external call tells us about trying again.
public enum RetryClassification: Sendable, Equatable {
    /// Nothing happened on the other side (refused, timed out before sending): safe to try again.
    case retryable
    /// The other side said no for good (invalid address, channel gone): do not try again.
    case definiteFailure
    /// The request may or may not have taken effect (timeout after sending): do not resend blindly;
    /// resolve through the call's idempotency key.
    case unknownOutcome
}

/// An error from an external system that knows how it should be retried.
public protocol RetryClassifiable: Error {
    var retryClassification: RetryClassification { get }
}

/// Exponential backoff with jitter and an attempt limit for Telegram and TON calls.
///
/// Delay before attempt `n + 1` is `min(maxDelay, baseDelay × 2^(n-1))`, of which a random
/// `jitter` fraction is taken off so that many clients retrying together spread out.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// 0…1: the share of each delay that is randomized.
    public var jitter: Double

    public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(100),
                maxDelay: Duration = .seconds(2), jitter: Double = 0.5) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The default for external calls: 3 attempts, 100 ms doubling, half of it jittered.
    public static let externalCalls = RetryPolicy()

    /// The pause after failed attempt `attempt` (1-based).
    public func delay<G: RandomNumberGenerator>(afterAttempt attempt: Int, using generator: inout G) -> Duration {
        let exponent = min(attempt - 1, 30)
        let uncapped = baseDelay * (1 << exponent)
        let capped = uncapped > maxDelay ? maxDelay : uncapped
        let cut = Double.random(in: 0...jitter, using: &generator)
        return capped * (1 - cut)
    }

    public func delay(afterAttempt attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, using: &generator)
    }
}

/// Why an external call was given up, with the last underlying error.
public struct ExternalCallError: Error, RollbackClassifying, CustomStringConvertible {
    public let classification: RetryClassification
    public let attempts: Int
    public let underlying: any Error
    public let operation: String

    public var rollbackReason: RollbackReason { .externalFailure }

    public var description: String {
        switch classification {
        case .unknownOutcome:
            "\(operation): outcome unknown after \(attempts) attempt(s) (\(underlying)); left pending for an operator"
        case .definiteFailure, .retryable:
            "\(operation) failed after \(attempts) attempt(s): \(underlying)"
        }
    }
}

/// Runs `call` until it succeeds, fails definitely, has an unknown outcome, or runs out of attempts.
///
/// `call` receives the 1-based attempt number. Errors that are not ``RetryClassifiable`` count as
/// retryable. Cancellation stops the retrying and is rethrown as it is.
public func withRetry<T>(
    _ operation: String,
    policy: RetryPolicy = .externalCalls,
    sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    _ call: (Int) async throws -> T
) async throws -> T {
    var attempt = 1
    while true {
        do {
            return try await call(attempt)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            let classification = (error as? any RetryClassifiable)?.retryClassification ?? .retryable
            if classification != .retryable || attempt >= policy.maxAttempts {
                // Every attempt failed before reaching the other side: nothing happened there, for good.
                let final = classification == .retryable ? RetryClassification.definiteFailure : classification
                throw ExternalCallError(classification: final, attempts: attempt, underlying: error, operation: operation)
            }
            try await sleep(policy.delay(afterAttempt: attempt))
            attempt += 1
        }
    }
}
