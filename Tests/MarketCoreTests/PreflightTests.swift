import Foundation
import Testing
@testable import MarketCore

@Suite("Preflight of operator actions")
struct PreflightTests {
    @Test func freeLockAndRowsReportClear() async throws {
        try await MarketFixture.run { fixture in
            let seller = try await fixture.user("seller")
            let auction = try await fixture.market.createAuction(nft: try await fixture.nft(owner: seller), seller: seller,
                                                                 startPrice: 1_000_000_000, minStep: 1, duration: .seconds(600))
            let report = try await fixture.market.preflight(try await fixture.market.plan(.cancelAuction(id: auction, version: nil)))
            #expect(report.lockHolder == nil)
            #expect(report.rowsFree)
            #expect(report.rows.count == 2 && report.rows.allSatisfy { $0.holder == nil })
        }
    }

    @Test func aHeldLockAndALockedRowNameTheirHolders() async throws {
        try await MarketFixture.run { fixture in
            let seller = try await fixture.user("seller")
            let auction = try await fixture.market.createAuction(nft: try await fixture.nft(owner: seller), seller: seller,
                                                                 startPrice: 1_000_000_000, minStep: 1, duration: .seconds(600))
            let plan = try await fixture.market.plan(.cancelAuction(id: auction, version: nil))
            let key = plan.lockKey
            try await fixture.services.pool.withConnection { blocker in
                _ = try await blocker.simpleQuery("BEGIN")
                _ = try await blocker.query("SELECT 1 FROM auctions WHERE id = \(auction) FOR UPDATE")
                try await fixture.services.locks.withLock(key, operation: "test.hold") { _ in
                    // The registry entry is written behind the holder: wait until it shows.
                    var report = try await fixture.market.preflight(plan)
                    for _ in 0..<50 where report.lockHolder == nil {
                        try await Task.sleep(for: .milliseconds(20))
                        report = try await fixture.market.preflight(plan)
                    }
                    #expect(report.lockHolder?.operation == "test.hold")
                    #expect(report.lockHolder?.pid == getpid())
                    #expect(!report.rowsFree)
                    #expect(report.rows.first?.holder.map { $0.query.contains("FOR UPDATE") && $0.state == "idle in transaction" } == true)
                }
                _ = try await blocker.simpleQuery("ROLLBACK")
            }
            // Probing changed nothing: the auction can still be locked and is still live.
            let state = try await fixture.value("SELECT state FROM auctions WHERE id = \(auction)", as: String.self)
            #expect(state == "active")
        }
    }

    @Test func anOperatorActionGivesUpOnARowHeldTooLongInsteadOfHanging() async throws {
        try await MarketFixture.run { fixture in
            let moderator = try await fixture.operatorNamed("mia", role: .moderator)
            let seller = try await fixture.user("seller")
            let auction = try await fixture.market.createAuction(nft: try await fixture.nft(owner: seller), seller: seller,
                                                                 startPrice: 1_000_000_000, minStep: 1, duration: .seconds(600))
            try await fixture.services.pool.withConnection { blocker in
                // A holder the market's idle-in-transaction limit (half a lease) does not end: another
                // application's session, say.
                _ = try await blocker.simpleQuery("BEGIN; SET LOCAL idle_in_transaction_session_timeout = 0")
                _ = try await blocker.query("SELECT 1 FROM auctions WHERE id = \(auction) FOR UPDATE")
                let started = ContinuousClock.now
                let error = await #expect(throws: PostgresError.self) {
                    try await fixture.market.cancelAuction(auction, by: moderator)
                }
                #expect(error?.code == .lockNotAvailable)
                let waited = started.duration(to: .now)
                #expect(waited >= .seconds(4) && waited < .seconds(30), "gave up after \(waited)")
                _ = try await blocker.simpleQuery("ROLLBACK")
            }
            #expect(try await fixture.value("SELECT state FROM auctions WHERE id = \(auction)", as: String.self) == "active")
            #expect(try await fixture.auditRows().isEmpty)
        }
    }
}
