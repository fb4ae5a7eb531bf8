import Foundation
@testable import Console
@testable import MarketCore

/// Fixed rows for every pane, as one refresh would bring them, at a fixed instant.
enum DashboardFixture {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func result(for plan: FetchPlan, fetchedAt: Date = now.addingTimeInterval(-0.4)) -> FetchResult {
        var result = FetchResult(plan: plan, lockMode: .redis, fetchedAt: fetchedAt)
        result.duration = .milliseconds(7)
        let sources = Set(plan.view.panes)
        if sources.contains(.auctions) { result.auctions = Page(rows: auctions, next: nil) }
        if sources.contains(.proposals) { result.proposals = Page(rows: proposals, next: nil) }
        if sources.contains(.transfers) { result.transfers = Page(rows: transfers, next: nil) }
        if sources.contains(.heldLocks) { result.heldLocks = Page(rows: locks, next: nil) }
        if sources.contains(.audit) { result.audit = Page(rows: audit, next: nil) }
        if sources.contains(.lockWaits) { result.lockWaits = lockWaits }
        if sources.contains(.contention) { result.contention = contention }
        if sources.contains(.rates) { result.rates = rates }
        if plan.bidsOfAuction == 42 { result.bids = bids }
        if sources.contains(.alerts) {
            result.alerts = StuckLockDetector.alerts(locks: locks, lockWaits: lockWaits, openTransactions: [], now: now)
        }
        result.counts = DashboardCounts(liveAuctions: 1_000_000, pendingProposals: 100_000, pendingTransfers: 2,
                                        pendingWithdrawals: 1, heldLocks: 3, lockWaits: 3)
        return result
    }

    static let auctions = [
        LiveAuction(id: 42, nftID: 420, gift: "Plush Pepe #12", sellerID: 7, seller: "alice", startPrice: 1_000_000_000,
                    currentBid: 1_500_000_000, bidderID: 8, bidder: "bob", bids: 3, endsAt: now.addingTimeInterval(45),
                    version: 4, updatedAt: now.addingTimeInterval(-5)),
        LiveAuction(id: 43, nftID: 431, gift: "Durov's Cap #3", sellerID: 9, seller: "carol", startPrice: 2_000_000_000,
                    currentBid: nil, bidderID: nil, bidder: nil, bids: 0, endsAt: now.addingTimeInterval(3_725),
                    version: 1, updatedAt: now.addingTimeInterval(-600)),
        LiveAuction(id: 44, nftID: 440, gift: "Homemade Cake #901", sellerID: 8, seller: "bob", startPrice: 100_000_000,
                    currentBid: 250_000_000, bidderID: 7, bidder: "alice", bids: 12, endsAt: now.addingTimeInterval(-2),
                    version: 13, updatedAt: now.addingTimeInterval(-3)),
    ]

    static let bids = [
        AuctionBid(id: 903, bidderID: 8, bidder: "bob", amount: 1_500_000_000, at: now.addingTimeInterval(-5)),
        AuctionBid(id: 880, bidderID: 10, bidder: "dave", amount: 1_200_000_000, at: now.addingTimeInterval(-65)),
        AuctionBid(id: 811, bidderID: 8, bidder: "bob", amount: 1_000_000_000, at: now.addingTimeInterval(-3_700)),
    ]

    static let proposals = [
        PendingProposal(id: 501, tradeID: 77, ownerID: 7, owner: "alice", proposerID: 10, proposer: "dave",
                        items: ["Signet Ring #4", "Loot Bag #88"], tradeItems: ["Swiss Watch #2"],
                        createdAt: now.addingTimeInterval(-620), version: 1),
        PendingProposal(id: 502, tradeID: 78, ownerID: 9, owner: "carol", proposerID: 8, proposer: "bob",
                        items: ["Eternal Rose #17"], tradeItems: ["Genesis Star #1", "Magic Potion #5"],
                        createdAt: now.addingTimeInterval(-30), version: 1),
    ]

    static let transfers = [
        PendingTransfer(kind: .channel, entityID: 7, subject: "Gift channel 27", user: "bob",
                        amount: 12_000_000_000, attempts: 3, lastError: "Telegram transfer of channel 27: outcome unknown",
                        createdAt: now.addingTimeInterval(-300), updatedAt: now.addingTimeInterval(-20), version: 4,
                        lockKey: "channel:buy:27"),
        PendingTransfer(kind: .withdrawal, entityID: 12, subject: "EQabc123", user: "carol",
                        amount: 500_000_000, attempts: 1, lastError: nil,
                        createdAt: now.addingTimeInterval(-15), updatedAt: now.addingTimeInterval(-15), version: 1,
                        lockKey: "withdraw:9"),
    ]

    static let locks = [
        HeldLock(key: "auction:bid:42", host: "market-1", pid: 4242, operation: "auction.bid", fence: 1_207,
                 acquiredAtMilliseconds: Int64(now.addingTimeInterval(-45).timeIntervalSince1970 * 1000),
                 leaseMilliseconds: 10_000, ttlLeftMilliseconds: 800, waiters: 2),
        HeldLock(key: "withdraw:9", host: "market-2", pid: 77, operation: "withdraw", fence: 31,
                 acquiredAtMilliseconds: Int64(now.addingTimeInterval(-1).timeIntervalSince1970 * 1000),
                 leaseMilliseconds: 10_000, ttlLeftMilliseconds: 9_000, waiters: 0),
    ]

    static let lockWaits = [
        PostgresLockWait(id: 100, blockedBy: [], user: "market", application: "market-console", state: "idle in transaction",
                         waitEvent: "ClientRead", query: "UPDATE auctions SET current_bid = $1 WHERE id = $2",
                         transactionStart: now.addingTimeInterval(-40), queryStart: now.addingTimeInterval(-39), waitingSince: nil),
        PostgresLockWait(id: 101, blockedBy: [], user: "market", application: "psql", state: "active",
                         waitEvent: nil, query: "LOCK TABLE users", transactionStart: now.addingTimeInterval(-12),
                         queryStart: now.addingTimeInterval(-12), waitingSince: nil),
        PostgresLockWait(id: 200, blockedBy: [100, 101], user: "market", application: "market-console", state: "active",
                         waitEvent: "Lock:transactionid", query: "SELECT * FROM auctions WHERE id = $1 FOR UPDATE",
                         transactionStart: now.addingTimeInterval(-8), queryStart: now.addingTimeInterval(-8),
                         waitingSince: now.addingTimeInterval(-8)),
        PostgresLockWait(id: 300, blockedBy: [200], user: "market", application: "market-console", state: "active",
                         waitEvent: "Lock:tuple", query: "SELECT * FROM auctions WHERE id = $1 FOR UPDATE",
                         transactionStart: now.addingTimeInterval(-3), queryStart: now.addingTimeInterval(-3),
                         waitingSince: now.addingTimeInterval(-3)),
    ]

    static let contention: [LockPrefixStats] = {
        var bid = LockPrefixStats(prefix: "auction:bid")
        bid.acquired = 6_000
        bid.waited = 1_200
        bid.timedOut = 6
        for micros in [500, 900, 4_000, 35_000] as [Int64] { bid.wait.record(micros: micros) }
        for micros in [1_200, 2_400] as [Int64] { bid.hold.record(micros: micros) }
        var withdraw = LockPrefixStats(prefix: "withdraw")
        withdraw.acquired = 600
        return [withdraw, bid]
    }()

    static let rates: [UnitOfWorkStats] = {
        var bid = UnitOfWorkStats(operation: "auction.bid")
        bid.commits = 3_000
        bid.rollbacks = [.ruleRejected: 120, .conflict: 6]
        for micros in [800, 1_500, 2_000, 9_000] as [Int64] { bid.duration.record(micros: micros) }
        bid.commitSeries = (0..<60).map { Int64(40 + $0 % 20) }
        var buy = UnitOfWorkStats(operation: "nft.buy")
        buy.commits = 600
        buy.rollbacks = [.externalFailure: 3, .error: 1]
        buy.duration.record(micros: 4_000)
        buy.commitSeries = (0..<60).map { Int64($0 % 3) * 5 }
        return [buy, bid]
    }()

    static let audit = [
        AuditEntry(id: 3, at: now.addingTimeInterval(-90), operator: "mia", role: "moderator", action: "auction.cancel",
                   target: "auction:41", reason: "seller reported a stolen gift", outcome: "done", detail: "refunded bob 2 TON"),
    ]
}

extension PageCursor {
    /// A cursor as a page of auctions sorted by end time would hand out after its last row.
    static let fixture: PageCursor? = PageCursor(sort: "ends_at", descending: false, values: ["2027-01-15 08:00:00+00", "44"])
}
