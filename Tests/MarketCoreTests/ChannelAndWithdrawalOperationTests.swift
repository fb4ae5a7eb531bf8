import Synchronization
import Testing
import TestSupport
@testable import MarketCore

@Suite("Channel and withdrawal operations")
struct ChannelAndWithdrawalOperationTests {
    @Test func buyingAChannelEscrowsThenPaysTheSeller() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let channel = try await f.market.listChannel(owner: seller, telegramChannel: 1001, title: "Gifts", price: 10 * ton)
            let outcome = try await f.market.buyChannel(channel, buyer: buyer)
            guard case .completed(let transfer) = outcome else {
                Issue.record("expected a completed purchase, got \(outcome)")
                return
            }
            #expect(try await f.value("SELECT state FROM channel_transfers WHERE id = \(transfer)", as: String.self) == "completed")
            #expect(try await f.value("SELECT owner_id FROM channels WHERE id = \(channel)", as: Int64.self) == buyer)
            #expect(try await f.balance(buyer) == (10 * ton, 0))
            #expect(try await f.balance(seller) == (9_500_000_000, 0))
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func changedGiftsRefuseThePurchase() async throws {
        try await MarketFixture.run { f in
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let channel = try await f.market.listChannel(owner: seller, telegramChannel: 1002, title: "Gifts", price: 10 * ton)
            f.gateways.changeGifts(of: 1002)
            let refused = await #expect(throws: MarketError.self) { try await f.market.buyChannel(channel, buyer: buyer) }
            #expect(refused?.code == .giftsChanged)
            #expect(try await f.balance(buyer) == (20 * ton, 0))
            let duplicate = await #expect(throws: MarketError.self) {
                try await f.market.listChannel(owner: seller, telegramChannel: 1002, title: "Again", price: ton)
            }
            #expect(duplicate?.code == .invalidState)
        }
    }

    @Test func anUnknownTransferStaysPendingUntilAnAdminResolvesIt() async throws {
        try await MarketFixture.run(behaviour: .init(unknownRate: 1)) { f in
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let first = try await f.market.listChannel(owner: seller, telegramChannel: 2001, title: "A", price: 10 * ton)
            let second = try await f.market.listChannel(owner: seller, telegramChannel: 2002, title: "B", price: 5 * ton)
            guard case .pending(let stuck) = try await f.market.buyChannel(first, buyer: buyer),
                  case .pending(let other) = try await f.market.buyChannel(second, buyer: buyer) else {
                Issue.record("expected pending transfers")
                return
            }
            #expect(try await f.balance(buyer) == (5 * ton, 15 * ton))
            #expect(try await f.violations().isEmpty)
            let moderator = try await f.operatorNamed("mo", role: .moderator)
            let refused = await #expect(throws: MarketError.self) { try await f.market.forceCompleteTransfer(stuck, by: moderator) }
            #expect(refused?.code == .forbidden)
            let admin = try await f.operatorNamed("ada", role: .admin)
            try await f.market.forceCompleteTransfer(stuck, by: admin)
            try await f.market.cancelTransfer(other, by: admin)
            #expect(try await f.balance(buyer) == (10 * ton, 0))
            #expect(try await f.value("SELECT owner_id FROM channels WHERE id = \(first)", as: Int64.self) == buyer)
            #expect(try await f.value("SELECT owner_id FROM channels WHERE id = \(second)", as: Int64.self) == seller)
            #expect(try await f.value("SELECT count(*) FROM operator_actions WHERE operator = \(admin.login)", as: Int.self) == 2)
            let twice = await #expect(throws: MarketError.self) { try await f.market.cancelTransfer(stuck, by: admin) }
            #expect(twice?.description == "transfer \(stuck) is already completed")
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aWithdrawalIsSentAndItsRepeatMovesNoMoney() async throws {
        try await MarketFixture.run { f in
            let user = try await f.user("saver", balance: 5 * ton)
            let first = try await f.market.withdraw(user: user, amount: 2 * ton, destination: "EQaddr", idempotencyKey: "k1")
            #expect(first.state == .sent)
            #expect(first.txHash == "tx-withdrawal:\(first.id)")
            let repeatResult = try await f.market.withdraw(user: user, amount: 2 * ton, destination: "EQaddr", idempotencyKey: "k1")
            #expect(repeatResult == first)
            #expect(try await f.balance(user) == (3 * ton, 0))
            let broke = await #expect(throws: MarketError.self) {
                try await f.market.withdraw(user: user, amount: 4 * ton, destination: "EQaddr", idempotencyKey: "k2")
            }
            #expect(broke?.code == .insufficientFunds)
            #expect(try await f.violations().isEmpty)
        }
    }

    @Test func aRefusedPayoutIsRefundedAndAnUnknownOneWaitsForAnAdmin() async throws {
        try await MarketFixture.run(behaviour: .init(failureRate: 1)) { f in
            let user = try await f.user("saver", balance: 5 * ton)
            let failed = try await f.market.withdraw(user: user, amount: 2 * ton, destination: "EQaddr", idempotencyKey: "f1")
            #expect(failed.state == .failed)
            #expect(try await f.balance(user) == (5 * ton, 0))
            #expect(try await f.violations().isEmpty)
        }
        try await MarketFixture.run(behaviour: .init(unknownRate: 1)) { f in
            let user = try await f.user("saver", balance: 5 * ton)
            let pending = try await f.market.withdraw(user: user, amount: 2 * ton, destination: "EQaddr", idempotencyKey: "u1")
            #expect(pending.state == .pending)
            #expect(try await f.balance(user) == (3 * ton, 0))
            let admin = try await f.operatorNamed("ada", role: .admin)
            let resolved = try await f.market.resolveWithdrawal(pending.id, sentWithHash: nil, by: admin)
            #expect(resolved.state == .failed)
            #expect(try await f.balance(user) == (5 * ton, 0))
            #expect(try await f.violations().isEmpty)
        }
    }

    /// 1,000 concurrent repeats of one request: exactly one withdrawal, one answer for everyone.
    @Test func aThousandRepeatsOfOneWithdrawalMakeExactlyOne() async throws {
        // A thousand waiters handed one lock in turn: beside a fleet of processes on two cores the
        // last of them would wait out the 30 s lock timeout, so this takes its turn with the heavy tests.
        try await HeavyTestGate.run { try await repeatOneWithdrawAThousandTimes() }
    }

    private func repeatOneWithdrawAThousandTimes() async throws {
        try await MarketFixture.run(maxConnections: 16) { f in
            let user = try await f.user("saver", balance: 5 * ton)
            let answers = try await withThrowingTaskGroup(of: WithdrawalResult.self) { group in
                for _ in 0..<1000 {
                    group.addTask {
                        try await f.market.withdraw(user: user, amount: ton, destination: "EQaddr", idempotencyKey: "same")
                    }
                }
                return try await group.reduce(into: [WithdrawalResult]()) { $0.append($1) }
            }
            #expect(answers.count == 1000)
            #expect(Set(answers.map(\.id)).count == 1)
            #expect(Set(answers.map(\.state)) == [.sent])
            #expect(try await f.value("SELECT count(*) FROM withdrawals", as: Int.self) == 1)
            #expect(try await f.balance(user) == (4 * ton, 0))
            #expect(try await f.violations().isEmpty)
        }
    }
}
