import Foundation
import Synchronization

/// What the simulated Telegram and TON did with one request key.
public struct SimulatedEffect: Sendable, Equatable {
    public enum Outcome: String, Sendable {
        /// The request took effect; `result` is what it returned (the TON transaction hash).
        case done
        /// The caller was told "unknown" and the request did not take effect; its key is still open,
        /// so a repeat may yet carry it out.
        case notYet = "not_yet"
        /// The key is closed unexecuted (refused, or expired when asked about): a repeat is refused.
        case expired
    }

    public var outcome: Outcome
    public var result: String?
    /// Whether the gateway's status query can see it yet (it becomes visible some time after the call).
    public var visible: Bool

    public init(outcome: Outcome, result: String? = nil, visible: Bool = true) {
        self.outcome = outcome
        self.result = result
        self.visible = visible
    }
}

/// Where the simulated gateways record their real effects, by request key. It must outlive and
/// be shared by every process that calls or asks them: ``PostgresGatewayEffects`` (a table of the
/// simulated outside world) when traffic and the reconciler are separate processes;
/// ``MemoryGatewayEffects`` within one process (tests, an operator's one-off retry).
public protocol SimulatedGatewayEffects: Sendable {
    /// Records `effect` (visible after `visibleAfter`) for `key` unless the key already holds one
    /// other than ``SimulatedEffect/Outcome/notYet``; returns what the key holds afterwards.
    func record(_ key: String, _ effect: SimulatedEffect, visibleAfter: Duration) async throws -> SimulatedEffect
    /// What `key` holds, if anything.
    func effect(of key: String) async throws -> SimulatedEffect?
}

/// ``SimulatedGatewayEffects`` in this process's memory.
public final class MemoryGatewayEffects: SimulatedGatewayEffects {
    private struct Stored {
        var effect: SimulatedEffect
        var visibleAt: ContinuousClock.Instant
    }

    private let effects = Mutex<[String: Stored]>([:])

    public init() {}

    public func record(_ key: String, _ effect: SimulatedEffect, visibleAfter: Duration) async throws -> SimulatedEffect {
        let now = ContinuousClock.now
        return effects.withLock { effects in
            if let stored = effects[key], stored.effect.outcome != .notYet {
                var current = stored.effect
                current.visible = stored.visibleAt <= now
                return current
            }
            effects[key] = Stored(effect: effect, visibleAt: now + visibleAfter)
            var current = effect
            current.visible = visibleAfter <= .zero
            return current
        }
    }

    public func effect(of key: String) async throws -> SimulatedEffect? {
        let now = ContinuousClock.now
        return effects.withLock { effects in
            guard let stored = effects[key] else { return nil }
            var current = stored.effect
            current.visible = stored.visibleAt <= now
            return current
        }
    }
}

/// ``SimulatedGatewayEffects`` in the `simulated_gateway_effects` table (``Migration/v8Reconciler``):
/// the simulated Telegram and TON side, shared by the traffic that calls them and the reconciler
/// that asks them, whatever process each runs in. Visibility is by the database's clock.
public final class PostgresGatewayEffects: SimulatedGatewayEffects {
    private let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    public func record(_ key: String, _ effect: SimulatedEffect, visibleAfter: Duration) async throws -> SimulatedEffect {
        let delay = Double(visibleAfter.components.seconds) + Double(visibleAfter.components.attoseconds) / 1e18
        let inserted = try await pool.query("""
            INSERT INTO simulated_gateway_effects AS e (request_key, outcome, result, visible_at)
            VALUES (\(key), \(effect.outcome.rawValue), \(effect.result), now() + make_interval(secs => \(delay)))
            ON CONFLICT (request_key) DO UPDATE SET outcome = EXCLUDED.outcome, result = EXCLUDED.result,
                visible_at = EXCLUDED.visible_at, updated_at = now()
            WHERE e.outcome = 'not_yet'
            RETURNING outcome, result, visible_at <= now()
            """)
        if let row = inserted.first { return try Self.decode(row) }
        guard let current = try await self.effect(of: key) else {
            throw GatewayError(.retryable, "simulated: the effect of \(key) could not be recorded")
        }
        return current
    }

    public func effect(of key: String) async throws -> SimulatedEffect? {
        try await pool.query("""
            SELECT outcome, result, visible_at <= now() FROM simulated_gateway_effects WHERE request_key = \(key)
            """).first.map(Self.decode)
    }

    private static func decode(_ row: PostgresRow) throws -> SimulatedEffect {
        let text = try row.decode(String.self, at: 0)
        guard let outcome = SimulatedEffect.Outcome(rawValue: text) else {
            throw PostgresError(code: .decodingFailed, message: "unknown simulated outcome \(text)")
        }
        return SimulatedEffect(outcome: outcome, result: try row.decode(String?.self, at: 1), visible: try row.decode(at: 2))
    }
}
