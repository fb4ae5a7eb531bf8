/// Telegram: what a channel holds and who owns it.
public protocol TelegramGateway: Sendable {
    /// A hash of the gifts the channel holds now.
    func giftsHash(channel: Int64) async throws -> String
    /// Hands the channel to `buyer`. `idempotencyKey` identifies this transfer: repeating it with
    /// the same key must not transfer twice.
    func transferChannel(_ channel: Int64, to buyer: Int64, idempotencyKey: String) async throws
    /// Who owns `channel` now, and whether the transfer request `idempotencyKey` (to `buyer`) took
    /// effect: ``GatewayRequestStatus/done(evidence:)`` with the owner, never-done once the request
    /// can no longer happen, or unknown. Throws ``GatewayError`` when the question itself fails.
    func transferStatus(channel: Int64, to buyer: Int64, idempotencyKey: String) async throws -> GatewayRequestStatus
}

/// TON: payouts.
public protocol TonGateway: Sendable {
    /// Sends `amount` nanoTON to `destination`; returns the transaction hash. `idempotencyKey`
    /// identifies this payout: repeating it with the same key must not pay twice.
    func send(amount: Int64, to destination: String, idempotencyKey: String) async throws -> String
    /// Whether a transaction carrying the payout key `idempotencyKey` exists, and its hash:
    /// ``GatewayRequestStatus/done(evidence:)`` with the hash, never-done once the payout's message
    /// expired unsent, or unknown. Throws ``GatewayError`` when the question itself fails.
    func payoutStatus(idempotencyKey: String) async throws -> GatewayRequestStatus
}

/// The external systems the market talks to. A deployment plugs real ones in.
public struct Gateways: Sendable {
    public var telegram: any TelegramGateway
    public var ton: any TonGateway
    /// Retries of external calls.
    public var retry: RetryPolicy

    public init(telegram: any TelegramGateway, ton: any TonGateway, retry: RetryPolicy = .externalCalls) {
        self.telegram = telegram
        self.ton = ton
        self.retry = retry
    }
}

/// A failed gateway call and whether trying again is safe.
public struct GatewayError: Error, RetryClassifiable, CustomStringConvertible, Sendable {
    public let retryClassification: RetryClassification
    public let description: String

    public init(_ classification: RetryClassification, _ description: String) {
        retryClassification = classification
        self.description = description
    }
}
