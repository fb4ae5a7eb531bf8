import Foundation
@testable import Console
@testable import MarketCore

/// ``DashboardFixture``'s market with every name, gift, reason, key and query text taken from
/// ``HostileCorpus``: the rows a new user would see after planting such names.
enum HostileFixture {
    /// One refresh for `plan` whose text fields cycle through `names`, `rows` rows per paged pane.
    static func result(for plan: FetchPlan, names: [String], rows: Int) -> FetchResult {
        var result = DashboardFixture.result(for: plan)
        func name(_ index: Int) -> String { names[index % names.count] }
        if result.auctions != nil {
            result.auctions = Page(rows: (0..<rows).map { index in
                var auction = DashboardFixture.auctions[index % DashboardFixture.auctions.count]
                auction.id = Int64(1_000 + index)
                auction.gift = name(index)
                auction.seller = name(index + 1)
                auction.bidder = auction.bidder.map { _ in name(index + 2) }
                return auction
            }, next: nil)
        }
        if result.proposals != nil {
            result.proposals = Page(rows: (0..<rows).map { index in
                var proposal = DashboardFixture.proposals[index % DashboardFixture.proposals.count]
                proposal.id = Int64(2_000 + index)
                proposal.owner = name(index)
                proposal.proposer = name(index + 3)
                proposal.items = [name(index + 1), name(index + 2)]
                proposal.tradeItems = [name(index + 4)]
                return proposal
            }, next: nil)
        }
        if result.transfers != nil {
            result.transfers = Page(rows: (0..<rows).map { index in
                var transfer = DashboardFixture.transfers[index % DashboardFixture.transfers.count]
                transfer.id = "channel:\(3_000 + index)"
                transfer.subject = name(index)
                transfer.user = name(index + 1)
                transfer.lastError = name(index + 2)
                return transfer
            }, next: nil)
        }
        if result.heldLocks != nil {
            result.heldLocks = Page(rows: (0..<rows).map { index in
                var lock = DashboardFixture.locks[index % DashboardFixture.locks.count]
                lock.key = "auction:bid:\(index):" + name(index)
                lock.host = name(index + 1)
                lock.operation = name(index + 2)
                return lock
            }, next: nil)
        }
        if result.audit != nil {
            result.audit = Page(rows: (0..<rows).map { index in
                var entry = DashboardFixture.audit[0]
                entry.id = Int64(4_000 + index)
                entry.operator = name(index)
                entry.target = name(index + 1)
                entry.reason = name(index + 2)
                entry.detail = name(index + 3)
                return entry
            }, next: nil)
        }
        if let waits = result.lockWaits {
            result.lockWaits = waits.enumerated().map { index, wait in
                var wait = wait
                wait.query = name(index)
                wait.application = name(index + 1)
                wait.user = name(index + 2)
                return wait
            }
        }
        return result
    }
}
