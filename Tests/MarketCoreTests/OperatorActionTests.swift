import Testing
@testable import MarketCore

/// The operator actions that act on a market row: each changes exactly what it says, is refused by
/// MarketCore for a role outside its roles or a version the row has left, and writes its audit
/// row in the transaction of its change.
@Suite("Operator actions")
struct OperatorActionTests {
    static let rowActions: [OperatorAction] = [
        .cancelAuction, .rejectProposal, .forceCompleteTransfer, .cancelTransfer, .resolveWithdrawal, .retryTransfer,
    ]

    // MARK: - Each action, exactly

    @Test func aModeratorCancelsTheAuctionTheySawAndTheTopBidIsReleased() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let alice = try await f.user("alice", balance: 10 * ton)
            let bob = try await f.user("bob", balance: 10 * ton)
            let nft = try await f.nft(owner: seller)
            let auction = try await f.market.createAuction(nft: nft, seller: seller, startPrice: ton, minStep: ton / 2, duration: .seconds(60))
            try await f.market.bid(auction: auction, bidder: alice, amount: ton)
            let seen = try await f.value("SELECT version FROM auctions WHERE id = \(auction)", as: Int64.self)
            #expect(seen == 2)
            try await f.market.bid(auction: auction, bidder: bob, amount: 1_500_000_000)
            let mia = try await f.operatorNamed("mia", role: .moderator)
            let before = try await f.marketState()

            let stale = await #expect(throws: MarketError.self) { try await f.market.cancelAuction(auction, expectedVersion: seen, by: mia) }
            #expect(stale?.code == .changed)
            #expect(stale?.description
                    == "auction \(auction) changed since you looked (now: top bid 1.5 TON by bob, 2 bids) — review and confirm again")
            #expect(try await f.marketState() == before)

            try await f.market.cancelAuction(auction, expectedVersion: seen + 1, by: mia)
            #expect(try await f.balance(alice) == (10 * ton, 0))
            #expect(try await f.balance(bob) == (10 * ton, 0))
            #expect(try await f.value("SELECT owner_id || ' ' || state FROM nfts WHERE id = \(nft)", as: String.self) == "\(seller) owned")
            #expect(try await f.value("SELECT concat_ws(' ', state, cancelled_by, cancel_reason, version) FROM auctions WHERE id = \(auction)",
                                      as: String.self) == "cancelled \(mia.login) test by mia 4")
            #expect(try await f.value("SELECT count(*) FROM ledger", as: Int.self) == 2)
            #expect(try await f.auditRows() == ["\(mia.login) moderator cancel-auction auction:\(auction) done"])
            #expect(try await f.value("SELECT detail FROM operator_actions", as: String.self)
                    == "NFT \(nft) back to user \(seller); 1.5 TON back to user \(bob)")

            let late = try await f.operatorNamed("max", role: .moderator)
            let again = await #expect(throws: MarketError.self) { try await f.market.cancelAuction(auction, expectedVersion: seen + 1, by: late) }
            #expect(again?.description == "auction \(auction) changed since you looked (now: cancelled by \(mia.login), top bid 1.5 TON by bob, 2 bids)"
                    + " — review and confirm again")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aModeratorRejectsTheProposalTheySawAndItsNFTsGoBack() async throws {
        try await MarketFixture.run { f in
            let owner = try await f.user("owner")
            let proposer = try await f.user("proposer")
            let offered = try await f.nft(owner: owner)
            let trade = try await f.market.createTrade(owner: owner, nfts: [offered])
            let first = try await f.nft(owner: proposer)
            let second = try await f.nft(owner: proposer)
            let proposal = try await f.market.propose(trade: trade, proposer: proposer, nfts: [first, second])
            let mia = try await f.operatorNamed("mia", role: .moderator)

            try await f.market.rejectProposal(proposal, expectedVersion: 1, by: mia)
            #expect(try await f.value("SELECT concat_ws(' ', state, resolved_by, reason, version) FROM trade_proposals WHERE id = \(proposal)",
                                      as: String.self) == "rejected \(mia.login) test by mia 2")
            #expect(try await f.value("""
                SELECT string_agg(owner_id || ' ' || state, ', ' ORDER BY id) FROM nfts WHERE id IN (\(first), \(second))
                """, as: String.self) == "\(proposer) owned, \(proposer) owned")
            #expect(try await f.value("SELECT state FROM trades WHERE id = \(trade)", as: String.self) == "open")
            #expect(try await f.value("SELECT state FROM nfts WHERE id = \(offered)", as: String.self) == "in_trade")
            #expect(try await f.auditRows() == ["\(mia.login) moderator reject-proposal proposal:\(proposal) done"])
            #expect(try await f.value("SELECT detail FROM operator_actions", as: String.self) == "NFTs \(first), \(second) back to user \(proposer)")

            let late = try await f.operatorNamed("max", role: .moderator)
            let stale = await #expect(throws: MarketError.self) { try await f.market.rejectProposal(proposal, expectedVersion: 1, by: late) }
            #expect(stale?.description == "proposal \(proposal) changed since you looked (now: rejected by \(mia.login) (test by mia)) — review and confirm again")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func anAdminForceCompletesTheTransferTheySawAndTheSellerIsPaidOnce() async throws {
        try await MarketFixture.run(telegram: ScriptedTelegram(.unknown)) { f in
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let (channel, transfer) = try await f.pendingTransfer(seller: seller, buyer: buyer, telegramChannel: 3001, price: 10 * ton)
            #expect(try await f.balance(buyer) == (10 * ton, 10 * ton))
            let ada = try await f.operatorNamed("ada", role: .admin)
            let before = try await f.marketState()

            let stale = await #expect(throws: MarketError.self) { try await f.market.forceCompleteTransfer(transfer, expectedVersion: 1, by: ada) }
            #expect(stale?.description == "transfer \(transfer) changed since you looked (now: pending, 1 attempt, last error: Telegram transfer of "
                    + "channel \(channel): outcome unknown after 1 attempt(s) (test: Telegram did not answer); left pending for an operator)"
                    + " — review and confirm again")
            #expect(try await f.marketState() == before)

            try await f.market.forceCompleteTransfer(transfer, expectedVersion: 2, by: ada)
            #expect(try await f.balance(buyer) == (10 * ton, 0))
            #expect(try await f.balance(seller) == (9_500_000_000, 0))
            #expect(try await f.balance(platformAccount) == (500_000_000, 0))
            #expect(try await f.value("SELECT owner_id || ' ' || state FROM channels WHERE id = \(channel)", as: String.self) == "\(buyer) owned")
            #expect(try await f.value("SELECT concat_ws(' ', state, resolved_by, resolution_reason, version) FROM channel_transfers",
                                      as: String.self) == "completed \(ada.login) test by ada 3")
            #expect(try await ledger(f, reference: "transfer:\(transfer)")
                    == ["\(buyer) -10000000000 channel_escrow", "\(seller) 9500000000 sale", "0 500000000 commission"])
            #expect(try await f.auditRows() == ["\(ada.login) admin force-complete-transfer transfer:\(transfer) done"])
            #expect(try await f.value("SELECT detail FROM operator_actions", as: String.self)
                    == "channel \(channel) to user \(buyer); 9.5 TON to user \(seller)")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func anAdminCancelsTheTransferTheySawAndTheBuyerIsRefunded() async throws {
        try await MarketFixture.run(telegram: ScriptedTelegram(.unknown)) { f in
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let (channel, transfer) = try await f.pendingTransfer(seller: seller, buyer: buyer, telegramChannel: 3002, price: 10 * ton)
            let ada = try await f.operatorNamed("ada", role: .admin)

            try await f.market.cancelTransfer(transfer, expectedVersion: 2, by: ada)
            #expect(try await f.balance(buyer) == (20 * ton, 0))
            #expect(try await f.balance(seller) == (0, 0))
            #expect(try await f.value("SELECT owner_id || ' ' || state || ' ' || (price IS NULL) FROM channels WHERE id = \(channel)",
                                      as: String.self) == "\(seller) owned true")
            #expect(try await f.value("SELECT concat_ws(' ', state, resolved_by, last_error, version) FROM channel_transfers",
                                      as: String.self) == "cancelled \(ada.login) cancelled by \(ada.login): test by ada 3")
            #expect(try await ledger(f, reference: "transfer:\(transfer)") == [])
            #expect(try await f.auditRows() == ["\(ada.login) admin cancel-transfer transfer:\(transfer) done"])
            #expect(try await f.value("SELECT detail FROM operator_actions", as: String.self)
                    == "10 TON back to user \(buyer); channel \(channel) stays with user \(seller)")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func anAdminResolvesTheWithdrawalTheySawAsSentOrAsFailed() async throws {
        try await MarketFixture.run(behaviour: .init(unknownRate: 1)) { f in
            let user = try await f.user("saver", balance: 5 * ton)
            let sent = try await f.market.withdraw(user: user, amount: 2 * ton, destination: "EQaddr", idempotencyKey: "w1")
            let failed = try await f.market.withdraw(user: user, amount: ton, destination: "EQaddr", idempotencyKey: "w2")
            #expect(sent.state == .pending && failed.state == .pending)
            #expect(try await f.balance(user) == (2 * ton, 0))
            let ada = try await f.operatorNamed("ada", role: .admin)
            let before = try await f.marketState()

            let stale = await #expect(throws: MarketError.self) {
                try await f.market.resolveWithdrawal(sent.id, sentWithHash: "tx-found", expectedVersion: 1, by: ada)
            }
            #expect(stale?.description == "withdrawal \(sent.id) changed since you looked (now: pending, 1 attempt, last error: TON payout of "
                    + "withdrawal \(sent.id): outcome unknown after 1 attempt(s) (simulated: the request timed out after it was sent); "
                    + "left pending for an operator) — review and confirm again")
            #expect(try await f.marketState() == before)

            let resolved = try await f.market.resolveWithdrawal(sent.id, sentWithHash: "tx-found", expectedVersion: 2, by: ada)
            #expect(resolved == WithdrawalResult(id: sent.id, state: .sent, txHash: "tx-found"))
            let refunded = try await f.market.resolveWithdrawal(failed.id, sentWithHash: nil, expectedVersion: 2, by: ada)
            #expect(refunded.state == .failed)
            #expect(try await f.balance(user) == (3 * ton, 0))
            #expect(try await f.value("""
                SELECT string_agg(concat_ws(' ', state, tx_hash, resolved_by, version), ', ' ORDER BY id) FROM withdrawals
                """, as: String.self) == "sent tx-found \(ada.login) 3, failed \(ada.login) 3")
            #expect(try await ledger(f, reference: "withdrawal:\(failed.id)") == ["\(user) -1000000000 withdrawal", "\(user) 1000000000 withdrawal_refund"])
            #expect(try await ledger(f, reference: "withdrawal:\(sent.id)") == ["\(user) -2000000000 withdrawal"])
            #expect(try await f.auditRows() == ["\(ada.login) admin resolve-withdrawal withdrawal:\(sent.id) done",
                                                "\(ada.login) admin resolve-withdrawal withdrawal:\(failed.id) done"])
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func anAdminRetriesAStuckTransferAndTheSellerIsPaidOnce() async throws {
        let telegram = ScriptedTelegram(.unknown)
        try await MarketFixture.run(telegram: telegram) { f in
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let (channel, transfer) = try await f.pendingTransfer(seller: seller, buyer: buyer, telegramChannel: 3003, price: 10 * ton)
            telegram.mode = .done
            let ada = try await f.operatorNamed("ada", role: .admin)

            let outcome = try await f.market.retryTransfer(transfer, expectedVersion: 2, by: ada)
            #expect(outcome == .completed(transfer: transfer))
            #expect(telegram.calls == 2)
            #expect(try await f.balance(buyer) == (10 * ton, 0))
            #expect(try await f.balance(seller) == (9_500_000_000, 0))
            #expect(try await f.value("SELECT owner_id || ' ' || state FROM channels WHERE id = \(channel)", as: String.self) == "\(buyer) owned")
            #expect(try await f.value("SELECT concat_ws(' ', state, attempts, resolved_by, version) FROM channel_transfers",
                                      as: String.self) == "completed 2 \(ada.login) 3")
            #expect(try await ledger(f, reference: "transfer:\(transfer)")
                    == ["\(buyer) -10000000000 channel_escrow", "\(seller) 9500000000 sale", "0 500000000 commission"])
            #expect(try await f.auditRows() == ["\(ada.login) admin retry-transfer transfer:\(transfer) done"])
            #expect(try await f.value("SELECT detail FROM operator_actions", as: String.self)
                    == "completed: channel \(channel) to user \(buyer); 9.5 TON to user \(seller)")

            let twice = await #expect(throws: MarketError.self) { try await f.market.retryTransfer(transfer, by: ada) }
            #expect(twice?.description == "transfer \(transfer) is already completed")
            #expect(telegram.calls == 2)
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aRetryTelegramStillDoesNotAnswerStaysPendingAndARefusedOneRefundsAndRelists() async throws {
        let telegram = ScriptedTelegram(.unknown)
        try await MarketFixture.run(telegram: telegram) { f in
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let (channel, transfer) = try await f.pendingTransfer(seller: seller, buyer: buyer, telegramChannel: 3004, price: 10 * ton)
            let ada = try await f.operatorNamed("ada", role: .admin)

            #expect(try await f.market.retryTransfer(transfer, by: ada) == .pending(transfer: transfer))
            #expect(try await f.balance(buyer) == (10 * ton, 10 * ton))
            #expect(try await f.value("SELECT state || ' ' || attempts || ' ' || version FROM channel_transfers", as: String.self) == "pending 2 3")

            telegram.mode = .refused
            let outcome = try await f.market.retryTransfer(transfer, expectedVersion: 3, by: ada)
            guard case .refunded(transfer, let reason) = outcome else {
                Issue.record("expected a refund, got \(outcome)")
                return
            }
            #expect(reason == "Telegram transfer of channel \(channel) failed after 1 attempt(s): test: Telegram refused")
            #expect(try await f.balance(buyer) == (20 * ton, 0))
            #expect(try await f.value("SELECT owner_id || ' ' || state || ' ' || price FROM channels WHERE id = \(channel)", as: String.self)
                    == "\(seller) listed \(10 * ton)")
            #expect(try await f.value("SELECT concat_ws(' ', state, attempts, resolved_by) FROM channel_transfers", as: String.self)
                    == "cancelled 3 \(ada.login)")
            #expect(try await f.auditRows() == ["\(ada.login) admin retry-transfer transfer:\(transfer) done", "\(ada.login) admin retry-transfer transfer:\(transfer) done"])
            #expect(try await f.value("SELECT string_agg(detail, ' | ' ORDER BY id) FROM operator_actions", as: String.self)
                    == "still pending: Telegram did not say whether channel \(channel) moved | refunded: 10 TON back to user \(buyer) (\(reason))")
            #expect(telegram.calls == 3)
            #expect(try await f.violations().isEmpty)
        }
    }

    // MARK: - Every action alike

    /// Each role outside the action's roles — and a name that is nobody's (a viewer) — is refused
    /// by MarketCore: nothing changes and no Telegram call is made; each refused attempt leaves
    /// one audit row (outcome `forbidden`), written after its transaction rolled back.
    @Test(arguments: rowActions)
    func aRoleOutsideTheActionsRolesIsRefusedAndChangesNothing(_ action: OperatorAction) async throws {
        let telegram = ScriptedTelegram(.firstUnknownThenDone)
        try await MarketFixture.run(behaviour: .init(unknownRate: 1), telegram: telegram) { f in
            let scenario = try await f.scenario(action)
            var requests = [(try await f.operatorNamed("nobody", role: nil, reason: "curious"), OperatorRole.viewer)]
            for role in OperatorRole.allCases where !action.allowedRoles.contains(role) {
                requests.append((try await f.operatorNamed("\(role.rawValue)-op", role: role), role))
            }
            let before = try await f.marketStateApartFromAudit()
            let calls = telegram.calls
            for (request, role) in requests {
                let refused = await #expect(throws: MarketError.self) { try await scenario.act(request, scenario.version) }
                let allowed = action.allowedRoles.map(\.rawValue).sorted().joined(separator: " or ")
                #expect(refused?.code == .forbidden)
                #expect(refused?.description == "operator \(request.login) (\(role.rawValue)) may not \(action.rawValue): \(allowed) only")
            }
            #expect(try await f.marketStateApartFromAudit() == before)
            let target = scenario.target.replacingOccurrences(of: " ", with: ":")
            #expect(try await f.auditRows() == requests.map { "\($0.0.login) \($0.1.rawValue) \(action.rawValue) \(target) forbidden" })
            #expect(telegram.calls == calls)
        }
    }

    /// A version the row has left is refused with `.changed` and changes nothing; the version the
    /// row has now goes through.
    @Test(arguments: rowActions)
    func aVersionTheRowHasLeftIsRefusedAndChangesNothing(_ action: OperatorAction) async throws {
        let telegram = ScriptedTelegram(.firstUnknownThenDone)
        try await MarketFixture.run(behaviour: .init(unknownRate: 1), telegram: telegram) { f in
            let scenario = try await f.scenario(action)
            let admin = try await f.operatorNamed("ada", role: .admin)
            let before = try await f.marketState()
            let calls = telegram.calls
            let stale = await #expect(throws: MarketError.self) { try await scenario.act(admin, scenario.version - 1) }
            #expect(stale?.code == .changed)
            #expect(stale?.description.hasPrefix("\(scenario.target) changed since you looked (now: ") == true)
            #expect(stale?.description.hasSuffix(") — review and confirm again") == true)
            #expect(try await f.marketState() == before)
            #expect(telegram.calls == calls)
            try await scenario.act(admin, scenario.version)
            #expect(try await f.auditRows().count == 1)
            #expect(try await f.violations().isEmpty)
        }
    }

    /// The audit row and the change commit together: when the commit fails after both were
    /// written, neither is there.
    @Test(arguments: rowActions)
    func theAuditRowCommitsWithTheChangeOrNeitherDoes(_ action: OperatorAction) async throws {
        let telegram = ScriptedTelegram(.firstUnknownThenDone)
        try await MarketFixture.run(behaviour: .init(unknownRate: 1), telegram: telegram) { f in
            let scenario = try await f.scenario(action)
            let admin = try await f.operatorNamed("ada", role: .admin)
            try await f.failCommitsThatAudit()
            let before = try await f.marketState()
            await #expect(throws: UnitOfWorkError.self) { try await scenario.act(admin, scenario.version) }
            #expect(try await f.marketState() == before)
            #expect(try await f.auditRows() == [])
            #expect(try await f.violations().isEmpty)
        }
    }

    private func ledger(_ f: MarketFixture, reference: String) async throws -> [String] {
        try await f.services.pool.query("SELECT account_id, delta, kind FROM ledger WHERE reference = \(reference) ORDER BY id").rows.map {
            "\(try $0.decode(Int64.self, at: 0)) \(try $0.decode(Int64.self, at: 1)) \(try $0.decode(String.self, at: 2))"
        }
    }
}

/// One operator action ready to take on a fresh market: its target row is in the state the action
/// expects, at `version`.
struct ActionScenario: Sendable {
    /// How `.changed` names the target, e.g. `auction 3`.
    let target: String
    let version: Int64
    let act: @Sendable (OperatorSession, _ expectedVersion: Int64?) async throws -> Void
}

extension MarketFixture {
    /// Sets up a target for `action`: an auction with a bid, a pending proposal, a pending channel
    /// transfer (Telegram left its first call unknown), or a pending withdrawal (TON unknown).
    func scenario(_ action: OperatorAction) async throws -> ActionScenario {
        let market = self.market
        switch action {
        case .cancelAuction:
            let seller = try await user("seller")
            let bidder = try await user("bidder", balance: 5 * ton)
            let auction = try await market.createAuction(nft: try await nft(owner: seller), seller: seller, startPrice: ton, minStep: ton,
                                                         duration: .seconds(60))
            try await market.bid(auction: auction, bidder: bidder, amount: 2 * ton)
            return ActionScenario(target: "auction \(auction)", version: 2) { try await market.cancelAuction(auction, expectedVersion: $1, by: $0) }
        case .rejectProposal:
            let owner = try await user("owner")
            let proposer = try await user("proposer")
            let trade = try await market.createTrade(owner: owner, nfts: [try await nft(owner: owner)])
            let proposal = try await market.propose(trade: trade, proposer: proposer, nfts: [try await nft(owner: proposer)])
            return ActionScenario(target: "proposal \(proposal)", version: 1) { try await market.rejectProposal(proposal, expectedVersion: $1, by: $0) }
        case .forceCompleteTransfer, .cancelTransfer, .retryTransfer:
            let seller = try await user("seller")
            let buyer = try await user("buyer", balance: 20 * ton)
            let (_, transfer) = try await pendingTransfer(seller: seller, buyer: buyer, telegramChannel: 4001, price: 10 * ton)
            return ActionScenario(target: "transfer \(transfer)", version: 2) { request, expected in
                switch action {
                case .forceCompleteTransfer: try await market.forceCompleteTransfer(transfer, expectedVersion: expected, by: request)
                case .cancelTransfer: try await market.cancelTransfer(transfer, expectedVersion: expected, by: request)
                default: _ = try await market.retryTransfer(transfer, expectedVersion: expected, by: request)
                }
            }
        case .resolveWithdrawal:
            let user = try await user("saver", balance: 5 * ton)
            let withdrawal = try await market.withdraw(user: user, amount: 2 * ton, destination: "EQaddr", idempotencyKey: "k")
            return ActionScenario(target: "withdrawal \(withdrawal.id)", version: 2) {
                _ = try await market.resolveWithdrawal(withdrawal.id, sentWithHash: nil, expectedVersion: $1, by: $0)
            }
        case .releaseLock, .manageOperators, .approve, .rejectApproval:
            throw MarketError(.invalidArgument, "test: \(action.rawValue) acts on no market row")
        }
    }
}
