import Synchronization
@testable import MarketCore

/// Telegram whose channel transfers answer as `mode` says, counting the calls. `firstUnknownThenDone`
/// leaves each transfer's first call unknown (not done) and completes every later call for it.
final class ScriptedTelegram: TelegramGateway, Sendable {
    enum Mode: Sendable {
        case unknown
        case done
        case refused
        case firstUnknownThenDone
    }

    private let state = Mutex<(mode: Mode, calls: Int, seen: Set<String>, done: Set<String>)>((.unknown, 0, [], []))

    init(_ mode: Mode) {
        state.withLock { $0.mode = mode }
    }

    var mode: Mode {
        get { state.withLock { $0.mode } }
        set { state.withLock { $0.mode = newValue } }
    }

    /// Channel transfers asked for so far.
    var calls: Int { state.withLock { $0.calls } }

    func giftsHash(channel: Int64) async throws -> String { "gifts-\(channel)" }

    func transferChannel(_ channel: Int64, to buyer: Int64, idempotencyKey: String) async throws {
        let mode = state.withLock { state -> Mode in
            state.calls += 1
            let mode = state.mode == .firstUnknownThenDone
                ? (state.seen.insert(idempotencyKey).inserted ? Mode.unknown : .done) : state.mode
            if mode == .done { state.done.insert(idempotencyKey) }
            return mode
        }
        switch mode {
        case .unknown, .firstUnknownThenDone: throw GatewayError(.unknownOutcome, "test: Telegram did not answer")
        case .refused: throw GatewayError(.definiteFailure, "test: Telegram refused")
        case .done: return
        }
    }

    /// Done when a call with the key was answered done; otherwise Telegram does not say.
    func transferStatus(channel: Int64, to buyer: Int64, idempotencyKey: String) async throws -> GatewayRequestStatus {
        guard state.withLock({ $0.done.contains(idempotencyKey) }) else { return .unknown("test: Telegram does not say") }
        return .done(evidence: GatewayEvidence(channelOwner: buyer, description: "test: channel \(channel) owned by user \(buyer)"))
    }
}

extension MarketFixture {
    /// Every market row (users, NFTs, auctions, bids, trades, channels, transfers, offers,
    /// withdrawals, ledger, approvals, audit) as text: equal before and after means nothing changed.
    func marketState() async throws -> [String] {
        let tables = ["users", "nfts", "auctions", "bids", "trades", "trade_items", "trade_proposals", "trade_proposal_items",
                      "channels", "channel_transfers", "offers", "presales", "withdrawals", "ledger", "operator_approvals", "operator_actions"]
        var rows: [String] = []
        for table in tables {
            rows += try await services.pool.query("SELECT t::text FROM \(unsafeSQL: table) t ORDER BY 1").rows.map {
                "\(table): " + (try $0.decode(String.self, at: 0))
            }
        }
        return rows
    }

    /// ``marketState()`` without the audit rows: what a refused attempt must leave as it was.
    func marketStateApartFromAudit() async throws -> [String] {
        try await marketState().filter { !$0.hasPrefix("operator_actions: ") }
    }

    /// The audit rows, oldest first, as `operator role action target outcome`.
    func auditRows() async throws -> [String] {
        try await services.pool.query("""
            SELECT concat_ws(' ', operator, role, action, target, outcome) FROM operator_actions ORDER BY id
            """).rows.map { try $0.decode(String.self, at: 0) }
    }

    /// From now on every transaction that writes an audit row fails at COMMIT — after the
    /// action's own writes and its audit row went through.
    func failCommitsThatAudit() async throws {
        _ = try await services.pool.simpleQuery("""
            CREATE FUNCTION test_refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'test: this commit is refused'; END $$;
            CREATE CONSTRAINT TRIGGER test_refuse_commit AFTER INSERT ON operator_actions
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refuse_commit();
            """)
    }

    /// A listed channel of `seller` bought by `buyer` whose transfer Telegram left pending.
    func pendingTransfer(seller: Int64, buyer: Int64, telegramChannel: Int64, price: Int64) async throws -> (channel: Int64, transfer: Int64) {
        let channel = try await market.listChannel(owner: seller, telegramChannel: telegramChannel, title: "Channel \(telegramChannel)",
                                                   price: price)
        guard case .pending(let transfer) = try await market.buyChannel(channel, buyer: buyer) else {
            throw MarketError(.invalidState, "test: the purchase of channel \(channel) did not stay pending")
        }
        return (channel, transfer)
    }
}
