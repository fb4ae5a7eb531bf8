import Foundation
import Testing
@testable import MarketCore

/// The reconciler settles unknown gateway outcomes on the gateways' evidence, through its own
/// login, once per row, and leaves what the gateways do not show.
@Suite("Reconciler", .serialized)
struct ReconcilerTests {
    /// Every gateway call ends "unknown"; the simulated gateways show what really happened at once.
    static let allUnknown = SimulatedGateways.Behaviour(unknownRate: 1)

    /// A login in `market_reconciler`, connected to the fixture's market and its gateways.
    static func reconciler(_ f: MarketFixture, _ name: String = "rec") async throws -> Reconciler {
        let login = f.loginName(name)
        _ = try await f.services.pool.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(Migrator.quoteIdentifier(login)) LOGIN IN ROLE market_reconciler"))
        let session = try await f.connect(as: login, reason: "reconciler")
        return Reconciler(market: session.market, queryRetry: RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2)))
    }

    /// `count` withdrawals left pending by unknown payouts, of `amount` each, one user each.
    static func pendingWithdrawals(_ f: MarketFixture, count: Int, amount: Int64 = ton) async throws -> [Int64] {
        var ids: [Int64] = []
        for index in 0..<count {
            let user = try await f.user("w\(index)", balance: amount)
            let result = try await f.market.withdraw(user: user, amount: amount, destination: "EQ-\(index)", idempotencyKey: "k\(index)")
            #expect(result.state == .pending)
            ids.append(result.id)
        }
        return ids
    }

    @Test func aPassSettlesEveryWithdrawalAndTransferOnTheGatewaysEvidenceAndAuditsIt() async throws {
        try await MarketFixture.run(behaviour: Self.allUnknown) { f in
            let withdrawals = try await Self.pendingWithdrawals(f, count: 20)
            let seller = try await f.user("seller")
            var transfers: [Int64] = []
            for index in 0..<10 {
                let buyer = try await f.user("buyer\(index)", balance: 5 * ton)
                let channel = try await f.market.listChannel(owner: seller, telegramChannel: 7_000 + Int64(index), title: "C\(index)",
                                                             price: 2 * ton)
                guard case .pending(let transfer) = try await f.market.buyChannel(channel, buyer: buyer) else {
                    Issue.record("every transfer should be pending")
                    return
                }
                transfers.append(transfer)
            }
            let pass = try await Self.reconciler(f).pass(ignoringBackoff: true)
            #expect(pass.resolved == 30 && pass.left == 0 && pass.alreadyMoved == 0, "\(pass)")

            // Sent exactly when TON holds a transaction for the key, with its hash; refunded otherwise.
            for id in withdrawals {
                let row = try await f.services.pool.query("SELECT state, tx_hash, resolved_by FROM withdrawals WHERE id = \(id)").rows[0]
                let effect = try await f.gateways.payoutStatus(idempotencyKey: "withdrawal:\(id)")
                let state = try row.decode(String.self, at: 0)
                switch effect {
                case .done(let evidence):
                    let hash = try row.decode(String?.self, at: 1)
                    #expect(state == "sent" && hash == evidence.transactionHash)
                default:
                    #expect(state == "failed")
                }
                #expect(try row.decode(String?.self, at: 2)?.hasPrefix("rec_") == true)
            }
            let completed = try await f.value("SELECT count(*)::int FROM channel_transfers WHERE state = 'completed'", as: Int.self)
            let cancelled = try await f.value("SELECT count(*)::int FROM channel_transfers WHERE state = 'cancelled'", as: Int.self)
            #expect(completed + cancelled == transfers.count)
            let audit = try await f.services.pool.query("""
                SELECT role, action, reason FROM operator_actions WHERE operator LIKE 'rec\\_%' ORDER BY id
                """).rows
            #expect(audit.count == 30)
            for row in audit {
                #expect(try row.decode(String.self, at: 0) == "reconciler")
                let reason = try row.decode(String.self, at: 2)
                #expect(reason.hasPrefix("TON") || reason.hasPrefix("Telegram"), "\(reason)")
            }
            #expect(try await f.violations().isEmpty)
            // The console's counts show them as settled automatically in the last minute.
            let counts = try await DashboardQueries(services: f.services).counts()
            #expect(counts.settledAutomatically == 30 && counts.pendingWithdrawals == 0 && counts.pendingTransfers == 0)
            // A second pass finds nothing left.
            #expect(try await Self.reconciler(f, "rec2").pass(ignoringBackoff: true) == ReconcilePass())
        }
    }

    @Test func whatTheGatewayDoesNotShowStaysPendingWithTheAskCountedAndBacksOff() async throws {
        var behaviour = Self.allUnknown
        behaviour.lateShare = 1
        try await MarketFixture.run(behaviour: behaviour) { f in
            let withdrawals = try await Self.pendingWithdrawals(f, count: 3)
            let reconciler = try await Self.reconciler(f)
            let first = try await reconciler.pass()
            #expect(first.resolved == 0 && first.left == 3, "\(first)")
            for id in withdrawals {
                let row = try await f.services.pool.query("""
                    SELECT state, attempts, reconcile_asks, last_error, reconcile_after > now() FROM withdrawals WHERE id = \(id)
                    """).rows[0]
                #expect(try row.decode(String.self, at: 0) == "pending")
                #expect(try row.decode(Int.self, at: 1) == 2)  // the payout's own attempt and the reconciler's ask
                #expect(try row.decode(Int.self, at: 2) == 1)
                #expect(try row.decode(String?.self, at: 3)?.hasPrefix("reconciler asked 1 attempt: TON:") == true)
                #expect(try row.decode(Bool.self, at: 4))
            }
            // Backing off: the next service pass asks nothing; a one-off pass asks again.
            #expect(try await reconciler.pass() == ReconcilePass())
            #expect(try await reconciler.pass(ignoringBackoff: true).left == 3)
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func onlyAReconcilerLoginSettlesAndOnlyWithEvidence() async throws {
        try await MarketFixture.run(behaviour: Self.allUnknown) { f in
            let id = try await Self.pendingWithdrawals(f, count: 1)[0]
            let user = try await f.value("SELECT user_id FROM withdrawals WHERE id = \(id)", as: Int64.self)
            let admin = try await f.operatorNamed("ada", role: .admin)
            let refused = await #expect(throws: MarketError.self) {
                try await admin.market.reconcileWithdrawal(id, user: user, expectedVersion: 2,
                                                           evidence: GatewayEvidence(transactionHash: "tx", description: "made up"))
            }
            #expect(refused?.code == .forbidden)
            let reconciler = try await Self.reconciler(f)
            let noEvidence = await #expect(throws: MarketError.self) {
                try await reconciler.market.reconcileWithdrawal(id, user: user, expectedVersion: 2, evidence: GatewayEvidence(description: " "))
            }
            #expect(noEvidence?.code == .invalidArgument)
            let asAdmin = await #expect(throws: MarketError.self) {
                try await reconciler.market.resolveWithdrawal(id, sentWithHash: nil, by: OperatorRequest(reason: "not mine"))
            }
            #expect(asAdmin?.code == .forbidden)
            #expect(try await f.value("SELECT state FROM withdrawals WHERE id = \(id)", as: String.self) == "pending")
        }
    }

    /// Each round: a reconciler and an admin resolve the same pending withdrawal at once. Exactly
    /// one of them settles it; the other is told it moved; the money and the audit agree.
    @Test func aReconcilerAndAnAdminResolvingTheSameWithdrawalSettleItOnceEveryTime() async throws {
        let count = 1_000
        let seed = UInt64(20_261_204)
        print("reconciler-vs-admin race: \(count) rounds, seed \(seed)")
        try await MarketFixture.run(behaviour: Self.allUnknown, maxConnections: 24) { f in
            let withdrawals = try await Self.pendingWithdrawals(f, count: count)
            let reconciler = try await Self.reconciler(f)
            let admin = try await f.operatorNamed("ada", role: .admin)
            let due = try await UnknownOutcome.due(on: f.services.pool, limit: count, staleAfter: 300, ignoringBackoff: true)
            #expect(due.count == count)
            var random = SeededRandom(seed: seed)
            let adminFirst = due.map { _ in random.unit() < 0.5 }
            // Per round: the withdrawal, whether the reconciler settled it, whether the admin did.
            let rounds = try await withThrowingTaskGroup(of: (Int64, Bool, Bool).self) { group in
                var results: [(Int64, Bool, Bool)] = []
                for (index, row) in due.enumerated() {
                    if index >= 6 { results.append(try await group.next()!) }
                    group.addTask {
                        async let byReconciler = reconciler.reconcile(row)
                        async let byAdmin: Bool = {
                            if adminFirst[index] { await Task.yield() }
                            do {
                                _ = try await admin.market.resolveWithdrawal(row.id, sentWithHash: nil, by: admin.request)
                                return true
                            } catch let error as MarketError where error.code == .invalidState {
                                return false
                            }
                        }()
                        let (pass, adminSettled) = try await (byReconciler, byAdmin)
                        #expect(pass.left == 0, "\(row.name): \(pass)")
                        return (row.id, pass.resolved == 1, adminSettled)
                    }
                }
                for try await result in group { results.append(result) }
                return results
            }
            #expect(rounds.count == due.count)
            let twice = rounds.filter { $0.1 == $0.2 }
            #expect(twice.isEmpty, "settled by both or neither: \(twice.prefix(5))")
            #expect(Set(withdrawals) == Set(rounds.map(\.0)))
            print("reconciler settled \(rounds.filter(\.1).count), the admin \(rounds.filter(\.2).count)")
            let audited = try await f.services.pool.query("""
                SELECT target, count(*)::int FROM operator_actions
                WHERE action IN ('reconcile-withdrawal', 'resolve-withdrawal') AND outcome = 'done' GROUP BY target
                """).rows
            #expect(audited.count == count)
            #expect(try audited.allSatisfy { try $0.decode(Int.self, at: 1) == 1 })
            #expect(try await f.value("SELECT count(*)::int FROM withdrawals WHERE state = 'pending'", as: Int.self) == 0)
            #expect(try await f.violations().isEmpty)
        }
    }

    /// Three reconcilers make a pass over the same rows at once: every row is settled once.
    @Test func severalReconcilersAtOnceSettleEachRowOnce() async throws {
        try await MarketFixture.run(behaviour: Self.allUnknown, maxConnections: 24) { f in
            _ = try await Self.pendingWithdrawals(f, count: 120)
            var reconcilers: [Reconciler] = []
            for index in 0..<3 { reconcilers.append(try await Self.reconciler(f, "rec\(index)")) }
            let passes = try await withThrowingTaskGroup(of: ReconcilePass.self) { group in
                for reconciler in reconcilers { group.addTask { try await reconciler.pass(ignoringBackoff: true) } }
                return try await group.reduce(into: [ReconcilePass]()) { $0.append($1) }
            }
            #expect(passes.map(\.resolved).reduce(0, +) == 120, "\(passes)")
            #expect(passes.map(\.left).reduce(0, +) == 0, "\(passes)")
            let audited = try await f.services.pool.query("""
                SELECT count(*)::int, count(DISTINCT target)::int FROM operator_actions WHERE action = 'reconcile-withdrawal'
                """).rows[0]
            #expect(try audited.decode(Int.self, at: 0) == 120)
            #expect(try audited.decode(Int.self, at: 1) == 120)
            #expect(try await f.violations().isEmpty)
        }
    }
}
