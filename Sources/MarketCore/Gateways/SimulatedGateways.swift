import Synchronization

/// Telegram and TON as a simulation: configurable latency, failure rate and unknown-outcome rate,
/// and status queries that answer from what the simulation really did.
///
/// Every effect is recorded by request key in ``SimulatedGatewayEffects`` — shared across
/// processes when it is ``PostgresGatewayEffects`` — so calls are idempotent by key, as the real
/// systems' are (a repeated key returns the first call's result), and a status query tells the
/// truth about a call whose caller heard "unknown". Half of those unknown calls took effect; which
/// half, and how long until the gateway shows it (seconds, or for a share much later), are drawn
/// from the seed and the key, so a run can be replayed.
public final class SimulatedGateways: TelegramGateway, TonGateway, Sendable {
    public struct Behaviour: Sendable {
        /// Share of calls that fail (half of those retryable, half definite); half this share of
        /// status queries fail (retryable).
        public var failureRate: Double
        /// Share of calls whose outcome is unknown to the caller.
        public var unknownRate: Double
        /// Time each call takes.
        public var latency: Duration
        /// How long after an unknown-outcome call its status queries may still say "unknown":
        /// each such call becomes visible after a delay drawn from zero up to this.
        public var visibilityDelay: Duration
        /// Share of unknown-outcome calls the gateway shows only much later (an indexer lagging, a
        /// support ticket): their status stays "unknown" for `lateDelay`.
        public var lateShare: Double
        /// How long the late ones stay unknown to status queries.
        public var lateDelay: Duration

        public init(failureRate: Double = 0, unknownRate: Double = 0, latency: Duration = .zero,
                    visibilityDelay: Duration = .zero, lateShare: Double = 0, lateDelay: Duration = .seconds(600)) {
            self.failureRate = failureRate
            self.unknownRate = unknownRate
            self.latency = latency
            self.visibilityDelay = visibilityDelay
            self.lateShare = lateShare
            self.lateDelay = lateDelay
        }
    }

    private struct State {
        var random: SeededRandom
        var hashes: [Int64: String] = [:]
    }

    private let behaviour: Behaviour
    private let seed: UInt64
    private let effects: any SimulatedGatewayEffects
    private let state: Mutex<State>

    /// - Parameter effects: where the effects are recorded; this process's memory by default.
    public init(behaviour: Behaviour = Behaviour(), seed: UInt64 = 1, effects: any SimulatedGatewayEffects = MemoryGatewayEffects()) {
        self.behaviour = behaviour
        self.seed = seed
        self.effects = effects
        self.state = Mutex(State(random: SeededRandom(seed: seed)))
    }

    /// Makes the channel's gifts change, as when its owner moves gifts after listing.
    public func changeGifts(of channel: Int64) {
        state.withLock { $0.hashes[channel] = "gifts-\(channel)-\($0.random.next())" }
    }

    public func giftsHash(channel: Int64) async throws -> String {
        try await pause()
        return state.withLock { state in
            if let hash = state.hashes[channel] { return hash }
            let hash = "gifts-\(channel)-0"
            state.hashes[channel] = hash
            return hash
        }
    }

    public func transferChannel(_ channel: Int64, to buyer: Int64, idempotencyKey: String) async throws {
        _ = try await perform(idempotencyKey, result: "transfer-\(channel)-to-\(buyer)")
    }

    public func send(amount: Int64, to destination: String, idempotencyKey: String) async throws -> String {
        try await perform(idempotencyKey, result: "tx-\(idempotencyKey)")
    }

    public func transferStatus(channel: Int64, to buyer: Int64, idempotencyKey: String) async throws -> GatewayRequestStatus {
        try await status(idempotencyKey) { _ in
            GatewayEvidence(channelOwner: buyer,
                            description: "Telegram: channel \(channel) is owned by user \(buyer) (transfer \(idempotencyKey) done)")
        } never: {
            GatewayEvidence(description: "Telegram: transfer \(idempotencyKey) of channel \(channel) was never carried out; "
                            + "the request is closed")
        }
    }

    public func payoutStatus(idempotencyKey: String) async throws -> GatewayRequestStatus {
        try await status(idempotencyKey) { hash in
            GatewayEvidence(transactionHash: hash, description: "TON tx \(hash) carries key \(idempotencyKey)")
        } never: {
            GatewayEvidence(description: "TON: no transaction carries key \(idempotencyKey); its message expired unsent")
        }
    }

    private func perform(_ key: String, result: String) async throws -> String {
        try await pause()
        if let earlier = try await effects.effect(of: key) {
            switch earlier.outcome {
            case .done: return earlier.result ?? result
            case .expired: throw GatewayError(.definiteFailure, "simulated: request \(key) is closed unexecuted")
            case .notYet: break
            }
        }
        let roll = state.withLock { $0.random.unit() }
        if roll < behaviour.failureRate / 2 {
            throw GatewayError(.retryable, "simulated: the service is unavailable")
        }
        if roll < behaviour.failureRate {
            let recorded = try await effects.record(key, SimulatedEffect(outcome: .expired), visibleAfter: .zero)
            if recorded.outcome == .done, let done = recorded.result { return done }
            throw GatewayError(.definiteFailure, "simulated: the request was refused")
        }
        if roll < behaviour.failureRate + behaviour.unknownRate {
            var draws = SeededRandom(seed: seed ^ Self.fingerprint(key))
            let happened = draws.unit() < 0.5
            let late = draws.unit() < behaviour.lateShare
            let delay = late ? behaviour.lateDelay : behaviour.visibilityDelay * draws.unit()
            _ = try await effects.record(key, SimulatedEffect(outcome: happened ? .done : .notYet, result: happened ? result : nil),
                                         visibleAfter: delay)
            throw GatewayError(.unknownOutcome, "simulated: the request timed out after it was sent")
        }
        let recorded = try await effects.record(key, SimulatedEffect(outcome: .done, result: result), visibleAfter: .zero)
        guard recorded.outcome == .done, let done = recorded.result else {
            throw GatewayError(.definiteFailure, "simulated: request \(key) is closed unexecuted")
        }
        return done
    }

    /// What the gateway can say about `key`: a status query that may fail, may not see the effect
    /// yet, and closes a key it finds unexecuted (so the answer "never done" stays true).
    private func status(_ key: String, done: (String) -> GatewayEvidence, never: () -> GatewayEvidence) async throws
        -> GatewayRequestStatus {
        try await pause()
        if state.withLock({ $0.random.unit() }) < behaviour.failureRate / 2 {
            throw GatewayError(.retryable, "simulated: the status service is unavailable")
        }
        var current = try await effects.effect(of: key)
        if current == nil || current?.outcome == .notYet, current?.visible != false {
            current = try await effects.record(key, SimulatedEffect(outcome: .expired), visibleAfter: .zero)
        }
        guard let current else { return .unknown("no answer for \(key)") }
        if !current.visible { return .unknown("the gateway does not show \(key) yet") }
        switch current.outcome {
        case .done: return .done(evidence: done(current.result ?? key))
        case .expired: return .neverDone(evidence: never())
        case .notYet: return .unknown("the gateway does not show \(key) yet")
        }
    }

    private func pause() async throws {
        if behaviour.latency > .zero { try await Task.sleep(for: behaviour.latency) }
    }

    /// FNV-1a of the key: the per-key part of the draws.
    private static func fingerprint(_ key: String) -> UInt64 {
        key.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}

/// A small, fast, seedable generator (SplitMix64) so a simulation can be replayed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A Double in 0..<1.
    public mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
