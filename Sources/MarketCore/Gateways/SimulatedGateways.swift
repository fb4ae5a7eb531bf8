import Synchronization

/// Telegram and TON as a simulation: configurable latency, failure rate and unknown-outcome rate.
///
/// Calls are idempotent by key, as the real systems' are: a repeated key returns the first call's
/// result. An "unknown outcome" may have happened or not (half of them did); it is remembered, so a
/// repeat with the same key tells the truth.
public final class SimulatedGateways: TelegramGateway, TonGateway, Sendable {
    public struct Behaviour: Sendable {
        /// Share of calls that fail (half of those retryable, half definite).
        public var failureRate: Double
        /// Share of calls whose outcome is unknown to the caller.
        public var unknownRate: Double
        /// Time each call takes.
        public var latency: Duration

        public init(failureRate: Double = 0, unknownRate: Double = 0, latency: Duration = .zero) {
            self.failureRate = failureRate
            self.unknownRate = unknownRate
            self.latency = latency
        }
    }

    private struct State {
        var random: SeededRandom
        var hashes: [Int64: String] = [:]
        var completed: [String: String] = [:]
    }

    private let behaviour: Behaviour
    private let state: Mutex<State>

    public init(behaviour: Behaviour = Behaviour(), seed: UInt64 = 1) {
        self.behaviour = behaviour
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
        _ = try await perform(idempotencyKey) { "transfer-\(channel)-to-\(buyer)" }
    }

    public func send(amount: Int64, to destination: String, idempotencyKey: String) async throws -> String {
        try await perform(idempotencyKey) { "tx-\(idempotencyKey)" }
    }

    private func perform(_ key: String, result: () -> String) async throws -> String {
        try await pause()
        return try state.withLock { state -> String in
            if let done = state.completed[key] { return done }
            let roll = state.random.unit()
            if roll < behaviour.failureRate / 2 {
                throw GatewayError(.retryable, "simulated: the service is unavailable")
            }
            if roll < behaviour.failureRate {
                throw GatewayError(.definiteFailure, "simulated: the request was refused")
            }
            if roll < behaviour.failureRate + behaviour.unknownRate {
                if state.random.unit() < 0.5 { state.completed[key] = result() }
                throw GatewayError(.unknownOutcome, "simulated: the request timed out after it was sent")
            }
            let value = result()
            state.completed[key] = value
            return value
        }
    }

    private func pause() async throws {
        if behaviour.latency > .zero { try await Task.sleep(for: behaviour.latency) }
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
