/// What a gateway can tell about one earlier request, asked by its idempotency key.
///
/// Only ``done(evidence:)`` and ``neverDone(evidence:)`` are answers a resolution may rest on;
/// ``unknown(_:)`` means ask again later (or leave it to an operator).
public enum GatewayRequestStatus: Sendable, Equatable {
    /// The request took effect. `evidence` is what the gateway shows for it: the TON transaction's
    /// hash, or the channel's owner as Telegram reports it now.
    case done(evidence: GatewayEvidence)
    /// The request did not take effect and never will: the gateway has closed its key (TON: the
    /// payout's message expired; Telegram: the transfer request was dropped), so a repeat with the
    /// same key is refused. `evidence` says what the gateway answered.
    case neverDone(evidence: GatewayEvidence)
    /// The gateway does not say yet (not indexed, not visible, or it keeps no answer for the key).
    case unknown(String)
}

/// What a gateway answered, kept in the audit row of a resolution that rests on it.
public struct GatewayEvidence: Sendable, Equatable, CustomStringConvertible {
    /// The TON transaction hash of a payout, when the answer is one.
    public var transactionHash: String?
    /// The channel's owner now, as Telegram reports it, when the answer is one.
    public var channelOwner: Int64?
    /// The answer in a sentence for the audit (e.g. `TON tx tx-withdrawal:12 carries key withdrawal:12`).
    public var description: String

    public init(transactionHash: String? = nil, channelOwner: Int64? = nil, description: String) {
        self.transactionHash = transactionHash
        self.channelOwner = channelOwner
        self.description = description
    }
}
