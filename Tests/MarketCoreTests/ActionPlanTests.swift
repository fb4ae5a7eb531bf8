import Foundation
import Testing
@testable import MarketCore

/// Every operator action's plan is what the action does: run with statement recording on, the
/// lock it took is the plan's, and the rows PostgreSQL shows it holding — read with `pgrowlocks`
/// while the test keeps the audit table share-locked, so the action waits at its audit row with
/// all its row locks taken — are exactly the plan's rows.
@Suite("Action plans")
struct ActionPlanTests {
    enum Case: String, CaseIterable, CustomTestStringConvertible {
        case cancelAuction, rejectProposal, forceCompleteTransfer, cancelTransfer, retryTransfer, resolveWithdrawalSent,
             resolveWithdrawalFailed, releaseLock, approve, rejectApproval

        var testDescription: String { rawValue }
    }

    /// An action set up on a fresh market: who runs it, and the request.
    struct Scenario {
        let session: OperatorSession
        let request: OperatorActionRequest
    }

    @Test(arguments: Case.allCases)
    func thePlansLockAndRowsAreWhatTheActionTook(_ action: Case) async throws {
        let telegram = ScriptedTelegram(.unknown)
        try await MarketFixture.run(behaviour: .init(unknownRate: 1), telegram: telegram,
                                    twoPersonActions: action == .approve || action == .rejectApproval ? [.forceCompleteTransfer] : []) { f in
            let scenario = try await Self.scenario(action, f, telegram: telegram)
            let plan = try await scenario.session.market.plan(scenario.request)
            let record = ExecutionRecord()
            let taken = try await Self.rowsLocked(by: f) {
                try await ExecutionRecord.record(into: record) { try await Self.perform(scenario.request, as: scenario.session) }
            }
            let planned = Set(plan.rows.map { "\($0.table) \($0.id)" })
            print("plan of \(action.rawValue): lock \(plan.lockKey); rows \(plan.rows.map { "\($0.table) \($0.id)" }); "
                  + "taken: \(taken.sorted())")
            #expect(taken == planned, "rows locked \(taken.sorted()) ≠ the plan's \(planned.sorted())")
            #expect(action == .releaseLock || !planned.isEmpty)
            let locks = record.steps.filter { $0.kind == .lock }.map(\.text)
            #expect(locks.count == 1 && locks[0].hasPrefix("\(plan.takesOverLock ? "take over" : "lock") \(plan.lockKey) "),
                    "locks taken \(locks), plan \(plan.lockKey)")

            // The record is what ran — the action's function and the commit — and holds no parameter value.
            let texts = record.steps.map(\.text)
            #expect(texts.contains { $0.contains("mc_op_") }, "\(texts)")
            #expect(record.steps.last?.kind == .commit, "\(texts)")
            #expect(!texts.joined().contains(scenario.session.request.reason), "a parameter value reached the record: \(texts)")
            #expect(try await f.violations().isEmpty)
        }
    }

    /// A plan names the money it moves and to whom.
    @Test func theCancelPlanReleasesTheTopBidToTheBidder() async throws {
        try await MarketFixture.run { f in
            let (auction, bidder) = try await Self.auctionWithABid(f)
            let mia = try await f.operatorNamed("mia", role: .moderator)
            let plan = try await mia.market.plan(.cancelAuction(id: auction, version: 2))
            #expect(plan.lockKey == OperationLockKeys.auction(auction))
            #expect(plan.rows.map(\.role) == ["the auction", "its NFT", "the top bidder"])
            #expect(plan.rows.last == ActionPlan.Row(table: "users", id: bidder, lockMode: "NO KEY UPDATE", role: "the top bidder"))
            #expect(plan.movements == [.init(amount: 2 * ton, to: "bidder (user \(bidder))", from: "held for their top bid")])
            #expect(plan.requiredVersion == 2)
            #expect(!plan.needsSecondOperator)
            await #expect(throws: MarketError.self) { try await mia.market.plan(.cancelAuction(id: auction + 1000, version: nil)) }
        }
    }

    /// The preflight of a cancel whose top bidder's row another session holds names that session.
    @Test func thePreflightNamesTheSessionHoldingTheBiddersRow() async throws {
        try await MarketFixture.run { f in
            let (auction, bidder) = try await Self.auctionWithABid(f)
            let mia = try await f.operatorNamed("mia", role: .moderator)
            let plan = try await mia.market.plan(.cancelAuction(id: auction, version: 2))
            #expect(try await mia.market.preflight(plan).rowsFree)

            try await f.services.pool.withConnection { holder in
                let holderPID = try await holder.query("SELECT pg_backend_pid()").rows[0].decode(Int32.self, at: 0)
                _ = try await holder.simpleQuery("SET application_name = 'bidder-support-tool'; BEGIN")
                _ = try await holder.query("SELECT 1 FROM users WHERE id = \(bidder) FOR UPDATE")
                let report = try await mia.market.preflight(plan)
                #expect(report.rows.map(\.free) == [true, true, false])
                let held = try #require(report.rows.last?.holder)
                #expect(held.pid == holderPID)
                #expect(held.application == "bidder-support-tool")
                #expect(held.state == "idle in transaction")
                #expect(held.query.contains("FOR UPDATE"))
                _ = try await holder.simpleQuery("ROLLBACK")
            }
            #expect(try await mia.market.preflight(plan).rowsFree)
        }
    }

    /// A viewer takes no action, so it may not probe rows — neither through the core nor by calling
    /// the probe itself; it may read a plan (ids it can read anyway).
    @Test func aViewerMayReadAPlanButNotProbeIt() async throws {
        try await MarketFixture.run { f in
            let (auction, _) = try await Self.auctionWithABid(f)
            let vic = try await f.operatorNamed("vic", role: nil)
            let plan = try await vic.market.plan(.cancelAuction(id: auction, version: 2))
            #expect(plan.rows.count == 3)
            let refused = await #expect(throws: MarketError.self) { try await vic.market.preflight(plan) }
            #expect(refused?.code == .forbidden)
            let direct = await #expect(throws: PostgresError.self) {
                try await vic.market.services.pool.query("SELECT * FROM mc_probe_rows('{users}', '{1}', '{UPDATE}')")
            }
            #expect(direct?.sqlState == "MC403")
        }
    }

    // MARK: Scenarios

    /// A live auction (version 2) whose top bid, 2 TON, is the bidder's.
    static func auctionWithABid(_ f: MarketFixture) async throws -> (auction: Int64, bidder: Int64) {
        let seller = try await f.user("seller")
        let bidder = try await f.user("bidder", balance: 5 * ton)
        let auction = try await f.market.createAuction(nft: try await f.nft(owner: seller), seller: seller, startPrice: ton, minStep: ton,
                                                       duration: .seconds(600))
        try await f.market.bid(auction: auction, bidder: bidder, amount: 2 * ton)
        return (auction, bidder)
    }

    static func scenario(_ action: Case, _ f: MarketFixture, telegram: ScriptedTelegram) async throws -> Scenario {
        let market = f.market
        switch action {
        case .cancelAuction:
            let (auction, _) = try await auctionWithABid(f)
            return Scenario(session: try await f.operatorNamed("mia", role: .moderator), request: .cancelAuction(id: auction, version: 2))
        case .rejectProposal:
            let owner = try await f.user("owner")
            let proposer = try await f.user("proposer")
            let trade = try await market.createTrade(owner: owner, nfts: [try await f.nft(owner: owner)])
            let offered = [try await f.nft(owner: proposer), try await f.nft(owner: proposer)]
            let proposal = try await market.propose(trade: trade, proposer: proposer, nfts: offered)
            return Scenario(session: try await f.operatorNamed("mia", role: .moderator), request: .rejectProposal(id: proposal, version: 1))
        case .forceCompleteTransfer, .cancelTransfer, .retryTransfer, .approve, .rejectApproval:
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let (_, transfer) = try await f.pendingTransfer(seller: seller, buyer: buyer, telegramChannel: 5001, price: 10 * ton)
            telegram.mode = .done
            let ada = try await f.operatorNamed("ada", role: .admin)
            switch action {
            case .forceCompleteTransfer: return Scenario(session: ada, request: .forceCompleteTransfer(id: transfer, version: 2))
            case .cancelTransfer: return Scenario(session: ada, request: .cancelTransfer(id: transfer, version: 2))
            case .retryTransfer: return Scenario(session: ada, request: .retryTransfer(id: transfer))
            default:
                let approval = try await market.requestApproval(.forceCompleteTransfer, target: transfer, expectedVersion: 2, by: ada)
                let bea = try await f.operatorNamed("bea", role: .admin)
                return Scenario(session: bea, request: action == .approve ? .approve(id: approval) : .rejectApproval(id: approval))
            }
        case .resolveWithdrawalSent, .resolveWithdrawalFailed:
            let user = try await f.user("saver", balance: 5 * ton)
            let withdrawal = try await market.withdraw(user: user, amount: 2 * ton, destination: "EQaddr", idempotencyKey: "w1")
            let ada = try await f.operatorNamed("ada", role: .admin)
            return Scenario(session: ada, request: action == .resolveWithdrawalSent
                            ? .resolveWithdrawalSent(id: withdrawal.id, version: 2, txHash: "tx-found")
                            : .resolveWithdrawalFailed(id: withdrawal.id, version: 2))
        case .releaseLock:
            let key = OperationLockKeys.auction(999_999)
            let held = OneShotSignal()
            // A stuck holder (its lease renewed meanwhile), until the release takes the lock over and cancels it.
            Task {
                try await f.services.locks.withLock(key, operation: "test.stuck") { _ in
                    held.fire()
                    try await Task.sleep(for: .seconds(300))
                }
            }
            _ = try await held.wait(timeout: .seconds(10))
            let oncall = try await f.operatorNamed("otto", role: .oncall)
            // The registry names a holder 100 ms after it took the lock.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await f.services.locks.heldLocks().first(where: { $0.key == key }) == nil, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            return Scenario(session: oncall, request: .releaseLock(key: key))
        }
    }

    /// Runs the request through its core operation as `session`.
    static func perform(_ request: OperatorActionRequest, as session: OperatorSession) async throws {
        let market = session.market, by = session.request
        switch request {
        case .cancelAuction(let id, let version): try await market.cancelAuction(id, expectedVersion: version, by: by)
        case .rejectProposal(let id, let version): try await market.rejectProposal(id, expectedVersion: version, by: by)
        case .forceCompleteTransfer(let id, let version): try await market.forceCompleteTransfer(id, expectedVersion: version, by: by)
        case .cancelTransfer(let id, let version): try await market.cancelTransfer(id, expectedVersion: version, by: by)
        case .retryTransfer(let id): _ = try await market.retryTransfer(id, by: by)
        case .resolveWithdrawalSent(let id, let version, let hash):
            _ = try await market.resolveWithdrawal(id, sentWithHash: hash, expectedVersion: version, by: by)
        case .resolveWithdrawalFailed(let id, let version):
            _ = try await market.resolveWithdrawal(id, sentWithHash: nil, expectedVersion: version, by: by)
        case .releaseLock(let key): _ = try await market.releaseLock(key: key, by: by)
        case .approve(let id): _ = try await market.approve(id, by: by)
        case .rejectApproval(let id): try await market.rejectApproval(id, by: by)
        }
    }

    /// The market rows `operation` holds locked when it reaches its audit row, as "table id".
    ///
    /// The test's own session share-locks `operator_actions`: every operator function writes its
    /// audit row last, so the action waits there with every row lock it took. Once PostgreSQL
    /// shows it waiting on the test's session, `pgrowlocks` lists the rows its transaction holds;
    /// then the test lets it go and it finishes.
    static func rowsLocked(by f: MarketFixture, _ operation: @escaping @Sendable () async throws -> Void) async throws -> Set<String> {
        let schema = try #require(f.services.configuration.database.schema)
        do {
            _ = try await f.services.pool.simpleQuery("CREATE EXTENSION IF NOT EXISTS pgrowlocks WITH SCHEMA public")
        } catch let error as PostgresError where ["23505", "42710"].contains(error.sqlState) {
            // Another test created it at the same moment.
        }
        return try await f.services.pool.withConnection { blocker in
            _ = try await blocker.simpleQuery("BEGIN; LOCK TABLE operator_actions IN SHARE MODE")
            let blockerPID = try await blocker.query("SELECT pg_backend_pid()").rows[0].decode(Int32.self, at: 0)
            let running = Task { try await operation() }
            var waiting: Int32?
            let deadline = ContinuousClock.now + .seconds(60)
            while waiting == nil, ContinuousClock.now < deadline {
                waiting = try await f.services.pool.query("""
                    SELECT pid FROM pg_stat_activity WHERE \(blockerPID) = ANY (pg_blocking_pids(pid))
                    """).first?.decode(Int32.self, at: 0)
                if waiting == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            var rows: Set<String> = []
            if let waiting {
                for table in ["auctions", "nfts", "users", "trades", "trade_proposals", "channels", "channel_transfers", "withdrawals",
                              "operator_approvals"] {
                    let qualified = "\(schema).\(table)"
                    rows.formUnion(try await f.services.pool.query(PostgresQuery(unsafeSQL: """
                        SELECT x.id FROM \(qualified) x JOIN public.pgrowlocks($1) p ON p.locked_row = x.ctid WHERE $2 = ANY (p.pids)
                        """, binds: [qualified, String(waiting)])).rows.map { "\(table) \(try $0.decode(Int64.self, at: 0))" })
                }
            }
            _ = try await blocker.simpleQuery("COMMIT")
            try await running.value
            #expect(waiting != nil, "the action never waited at its audit row")
            return rows
        }
    }
}
