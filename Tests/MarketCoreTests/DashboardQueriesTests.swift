import Foundation
@testable import MarketCore
@testable import MarketSimulation
import Testing

/// A small market from the benchmark seed: 300 auctions (285 live) of 100 users, 40 pending
/// proposals on 10 trades, 6 pending channel transfers, 6 pending withdrawals and `locks` held locks.
private func seededServices<T>(locks: Int = 0, redisURL: String? = nil,
                               _ body: (MarketServices, DashboardQueries) async throws -> T) async throws -> T {
    try await TestServers.withServices(redisURL: redisURL) { services in
        try await DashboardBenchmarkSeed.seed(services: services, auctions: 300, proposals: 40, locks: locks) { _ in }
        return try await body(services, DashboardQueries(services: services))
    }
}

/// Every row of a source, page after page; checks that every page but the last is full.
private func pageThrough<Row>(_ first: PageRequest, _ fetch: (PageRequest) async throws -> Page<Row>) async throws -> [Row] {
    var request = first
    var rows: [Row] = []
    for _ in 0..<1000 {
        let page = try await fetch(request)
        rows += page.rows
        guard let next = page.next else { return rows }
        #expect(page.rows.count == request.limit)
        request.after = next
    }
    Issue.record("more than 1000 pages")
    return rows
}

/// `"Plush Pepe #12"` → ("Plush Pepe", 12).
private func giftParts(_ gift: String) -> (String, Int) {
    let parts = gift.components(separatedBy: " #")
    return (parts[0], Int(parts[1])!)
}

@Suite("Dashboard queries")
struct DashboardQueriesTests {
    @Test(arguments: zip(["ends_at", "ends_at", "id", "current_bid", "bids", "bids", "seller", "gift"],
                         [false, true, true, true, false, true, false, true]))
    func liveAuctionsPageThroughEveryRowOnceInOrder(sort: String, descending: Bool) async throws {
        try await seededServices { services, queries in
            let all = try await queries.liveAuctions(PageRequest(sort: "id", limit: 500)).rows
            #expect(all.count == 285)
            #expect(Set(all.map(\.id)).count == 285)
            let ascending: (LiveAuction, LiveAuction) -> Bool = switch sort {
            case "ends_at": { ($0.endsAt, $0.id) < ($1.endsAt, $1.id) }
            case "id": { $0.id < $1.id }
            case "current_bid": { ($0.currentBid ?? 0, $0.id) < ($1.currentBid ?? 0, $1.id) }
            case "bids": { ($0.bids, $0.id) < ($1.bids, $1.id) }
            case "seller": { ($0.seller, $0.id) < ($1.seller, $1.id) }
            default: { (giftParts($0.gift).0, giftParts($0.gift).1, $0.id) < (giftParts($1.gift).0, giftParts($1.gift).1, $1.id) }
            }
            var expected = all.sorted(by: ascending)
            if descending { expected.reverse() }
            let paged = try await pageThrough(PageRequest(sort: sort, descending: descending, limit: 7)) {
                try await queries.liveAuctions($0)
            }
            #expect(paged.map(\.id) == expected.map(\.id))
            #expect(paged == expected)
        }
    }

    @Test func liveAuctionsCarryTheirRowsValues() async throws {
        try await seededServices { services, queries in
            let row = try await services.pool.query("""
                SELECT a.id, a.nft_id, n.gift || ' #' || n.serial, a.seller_id, s.name, a.start_price, a.current_bid,
                       a.current_bidder_id, b.name, a.bid_count, a.version
                FROM auctions a JOIN nfts n ON n.id = a.nft_id JOIN users s ON s.id = a.seller_id
                JOIN users b ON b.id = a.current_bidder_id
                WHERE a.state = 'active' AND a.bid_count = 3 ORDER BY a.ends_at, a.id LIMIT 1
                """).rows[0]
            let id = try row.decode(Int64.self, at: 0)
            let page = try await queries.liveAuctions(PageRequest(sort: "id", filter: try row.decode(String.self, at: 2)))
            let auction = try #require(page.rows.first { $0.id == id })
            #expect(auction.nftID == (try row.decode(Int64.self, at: 1)))
            #expect(auction.gift == (try row.decode(String.self, at: 2)))
            #expect(auction.sellerID == (try row.decode(Int64.self, at: 3)))
            #expect(auction.seller == (try row.decode(String.self, at: 4)))
            #expect(auction.startPrice == (try row.decode(Int64.self, at: 5)))
            #expect(auction.currentBid == auction.startPrice + 2 * 10_000_000)
            #expect(auction.currentBid == (try row.decode(Int64.self, at: 6)))
            #expect(auction.bidderID == (try row.decode(Int64.self, at: 7)))
            #expect(auction.bidder == (try row.decode(String.self, at: 8)))
            #expect(auction.bids == 3)
            #expect(auction.version == 1)
            #expect(auction.bidderID != auction.sellerID)
        }
    }

    @Test func aFilterMatchesGiftSellerAndBidderCaseInsensitively() async throws {
        try await seededServices { services, queries in
            let all = try await queries.liveAuctions(PageRequest(sort: "id", limit: 500)).rows
            for filter in ["ALICE_1", "pepe #1", "Yuki"] {
                let needle = filter.lowercased()
                let expected = all.filter { auction in
                    [auction.gift, auction.seller, auction.bidder ?? ""].contains { $0.lowercased().contains(needle) }
                }
                #expect(!expected.isEmpty)
                let paged = try await pageThrough(PageRequest(sort: "ends_at", filter: filter, limit: 4)) {
                    try await queries.liveAuctions($0)
                }
                #expect(paged.map(\.id) == expected.sorted { ($0.endsAt, $0.id) < ($1.endsAt, $1.id) }.map(\.id))
            }
            // Wildcards are matched as themselves: no name or gift has a % in it, every seller's name an _.
            #expect(try await queries.liveAuctions(PageRequest(sort: "id", filter: "%")).rows.isEmpty)
            #expect(try await pageThrough(PageRequest(sort: "id", filter: "_", limit: 100)) {
                try await queries.liveAuctions($0)
            }.count == 285)
        }
    }

    @Test func anUnknownSortOrAForeignCursorIsRefused() async throws {
        try await seededServices { services, queries in
            let unknown = await #expect(throws: MarketError.self) {
                try await queries.liveAuctions(PageRequest(sort: "price"))
            }
            #expect(unknown == MarketError(.invalidArgument, "live auctions cannot be sorted by \"price\"; sort by one of: "
                                           + "ends_at, id, current_bid, bids, seller, gift"))
            let locks = await #expect(throws: MarketError.self) { try await queries.heldLocks(PageRequest(sort: "ttl")) }
            #expect(locks?.message == "held locks cannot be sorted by \"ttl\"; sort by one of: acquired_at, key")
            let first = try await queries.liveAuctions(PageRequest(sort: "ends_at", limit: 5))
            let foreign = await #expect(throws: MarketError.self) {
                try await queries.liveAuctions(PageRequest(sort: "bids", limit: 5, after: first.next))
            }
            #expect(foreign?.message == "this page position belongs to live auctions sorted by ends_at, not by bids; "
                    + "start again from the first page")
        }
    }

    @Test func auctionBidsComeNewestFirst() async throws {
        try await seededServices { services, queries in
            let row = try await services.pool.query("""
                SELECT id, start_price, current_bidder_id FROM auctions WHERE state = 'active' AND bid_count = 4 ORDER BY id LIMIT 1
                """).rows[0]
            let auction = try row.decode(Int64.self, at: 0)
            let start = try row.decode(Int64.self, at: 1)
            let bids = try await queries.auctionBids(auctionID: auction, limit: 3)
            #expect(bids.map(\.amount) == [start + 30_000_000, start + 20_000_000, start + 10_000_000])
            #expect(bids[0].bidderID == (try row.decode(Int64.self, at: 2)))
            #expect(bids.map(\.id) == bids.map(\.id).sorted(by: >))
            #expect(bids[0].at > bids[1].at)
            #expect(try await queries.auctionBids(auctionID: auction).count == 4)
        }
    }

    @Test(arguments: [false, true])
    func pendingProposalsPageWithTiesAndCarryTheirGifts(descending: Bool) async throws {
        try await seededServices { services, queries in
            let all = try await queries.pendingProposals(PageRequest(sort: "id", limit: 500)).rows
            #expect(all.count == 40)
            var expected = all.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
            if descending { expected.reverse() }
            // Proposals were created three to a second: the tie breaker decides most of the order.
            #expect(Set(all.map(\.createdAt)).count == 14)
            let paged = try await pageThrough(PageRequest(sort: "created_at", descending: descending, limit: 6)) {
                try await queries.pendingProposals($0)
            }
            #expect(paged == expected)

            let proposal = all[1]
            let gifts = { (sql: PostgresQuery) in try await services.pool.query(sql).rows.map { try $0.decode(String.self, at: 0) } }
            #expect(proposal.items == (try await gifts("""
                SELECT n.gift || ' #' || n.serial FROM trade_proposal_items i JOIN nfts n ON n.id = i.nft_id
                WHERE i.proposal_id = \(proposal.id) ORDER BY n.id
                """)))
            #expect(proposal.items.count == 2)
            #expect(proposal.tradeItems == (try await gifts("""
                SELECT n.gift || ' #' || n.serial FROM trade_items i JOIN nfts n ON n.id = i.nft_id
                WHERE i.trade_id = \(proposal.tradeID) ORDER BY n.id
                """)))
            #expect(proposal.tradeItems.count == 2)
            #expect(proposal.ownerID != proposal.proposerID)

            let owner = all[0].owner
            let filtered = try await queries.pendingProposals(PageRequest(sort: "id", filter: owner.uppercased(), limit: 500))
            #expect(filtered.rows == all.filter { ([$0.owner, $0.proposer] + $0.items + $0.tradeItems).contains { $0.contains(owner) } })
            // Proposals go to the 10 trades in turn: the owner's trade has 4 of the 40.
            #expect(filtered.rows.filter { $0.owner == owner }.count == 4)
        }
    }

    @Test func pendingTransfersListChannelsAndWithdrawalsTogether() async throws {
        try await MarketFixture.run(behaviour: .init(unknownRate: 1)) { f in
            let queries = DashboardQueries(services: f.services)
            let seller = try await f.user("seller")
            let buyer = try await f.user("buyer", balance: 20 * ton)
            let channel = try await f.market.listChannel(owner: seller, telegramChannel: 3001, title: "Gift Lounge", price: 10 * ton)
            guard case .pending(let transfer) = try await f.market.buyChannel(channel, buyer: buyer) else {
                Issue.record("expected a pending transfer")
                return
            }
            let withdrawal = try await f.market.withdraw(user: buyer, amount: 3 * ton, destination: "EQdestination", idempotencyKey: "w1")
            #expect(withdrawal.state == .pending)

            let rows = try await queries.pendingTransfers(PageRequest(sort: "created_at")).rows
            #expect(rows.map(\.id) == ["channel:\(transfer)", "withdrawal:\(withdrawal.id)"])
            let stored = try await f.services.pool.query("""
                SELECT attempts, last_error FROM channel_transfers WHERE id = \(transfer)
                UNION ALL SELECT attempts, last_error FROM withdrawals WHERE id = \(withdrawal.id)
                """).rows
            #expect(rows[0].kind == .channel)
            #expect(rows[0].entityID == transfer)
            #expect(rows[0].subject == "Gift Lounge")
            #expect(rows[0].user == "buyer")
            #expect(rows[0].amount == 10 * ton)
            #expect(rows[0].attempts == (try stored[0].decode(Int.self, at: 0)))
            #expect(rows[0].lastError == (try stored[0].decode(String?.self, at: 1)))
            #expect(rows[1].kind == .withdrawal)
            #expect(rows[1].entityID == withdrawal.id)
            #expect(rows[1].subject == "EQdestination")
            #expect(rows[1].user == "buyer")
            #expect(rows[1].amount == 3 * ton)
            #expect(rows[1].attempts == (try stored[1].decode(Int.self, at: 0)))
            #expect(rows[1].lastError == (try stored[1].decode(String?.self, at: 1)))

            let newestFirst = try await queries.pendingTransfers(PageRequest(sort: "created_at", descending: true, limit: 1))
            #expect(newestFirst.rows.map(\.id) == ["withdrawal:\(withdrawal.id)"])
            let rest = try await queries.pendingTransfers(PageRequest(sort: "created_at", descending: true, limit: 1, after: newestFirst.next))
            #expect(rest.rows.map(\.id) == ["channel:\(transfer)"])
            #expect(rest.next == nil)
            #expect(try await queries.pendingTransfers(PageRequest(sort: "amount", filter: "lounge")).rows.map(\.id) == ["channel:\(transfer)"])

            let counts = try await queries.counts()
            #expect(counts.pendingTransfers == 1)
            #expect(counts.pendingWithdrawals == 1)
        }
    }

    @Test func seededTransfersPageInCreationOrder() async throws {
        try await seededServices { services, queries in
            let all = try await queries.pendingTransfers(PageRequest(sort: "id", limit: 500)).rows
            #expect(all.filter { $0.kind == .channel }.count == 6)
            #expect(all.filter { $0.kind == .withdrawal }.count == 6)
            let expected = all.sorted { ($0.createdAt, $0.kind.rawValue, $0.entityID) < ($1.createdAt, $1.kind.rawValue, $1.entityID) }
            let paged = try await pageThrough(PageRequest(sort: "created_at", limit: 5)) { try await queries.pendingTransfers($0) }
            #expect(paged == expected)
            #expect(paged.map(\.kind) == [.channel, .channel, .withdrawal, .channel, .withdrawal, .channel, .withdrawal,
                                          .withdrawal, .channel, .withdrawal, .channel, .withdrawal])
        }
    }

    @Test func heldLocksPageInBothOrdersAfterSomeReleases() async throws {
        try await TestServers.withServices { services in
            let redis = try #require(services.redis)
            let keys = LockKeys(namespace: redis.configuration.namespace)
            let queries = DashboardQueries(services: services)
            let lockKeys = (1...12).map { $0 % 2 == 0 ? "auction:bid:\($0)" : "nft:buy:\($0)" }
            var releases: [String: OneShotSignal] = [:]
            var holders: [String: Task<Void, any Error>] = [:]
            for key in lockKeys {
                let held = OneShotSignal()
                let release = OneShotSignal()
                releases[key] = release
                holders[key] = Task {
                    try await services.locks.withLock(key, operation: key.hasPrefix("auction") ? "auction.bid" : "nft.buy",
                                                      ttl: .seconds(30)) { _ in
                        held.fire()
                        _ = try await release.wait(timeout: .seconds(20))
                    }
                }
                #expect(try await held.wait(timeout: .seconds(5)))
            }
            try await waitUntil("12 locks are registered") { try await services.locks.heldLockCount() == 12 }
            let released = ["nft:buy:3", "auction:bid:4", "nft:buy:7", "auction:bid:8"]
            for key in released {
                releases[key]!.fire()
                try await holders[key]!.value
            }
            try await waitUntil("8 locks are registered") { try await services.locks.heldLockCount() == 8 }

            let remaining = lockKeys.filter { !released.contains($0) }
            let registry = try await services.locks.heldLocks()
            #expect(Set(registry.map(\.key)) == Set(remaining))
            // Ties within a millisecond are broken by key.
            let byAge = registry.sorted { ($0.acquiredAtMilliseconds, $0.key) < ($1.acquiredAtMilliseconds, $1.key) }.map(\.key)
            for (sort, descending, expected) in [("acquired_at", false, byAge), ("acquired_at", true, byAge.reversed()),
                                                 ("key", false, remaining.sorted()), ("key", true, remaining.sorted().reversed())] {
                let paged = try await pageThrough(PageRequest(sort: sort, descending: descending, limit: 3)) {
                    try await queries.heldLocks($0)
                }
                #expect(paged.map(\.key) == expected, "\(sort) \(descending ? "descending" : "ascending")")
            }
            let auctionLocks = try await pageThrough(PageRequest(sort: "", filter: "AUCTION.bid", limit: 2)) { try await queries.heldLocks($0) }
            #expect(auctionLocks.map(\.key) == byAge.filter { $0.hasPrefix("auction:") })
            #expect(auctionLocks.count == 4)
            #expect(auctionLocks.allSatisfy { $0.operation == "auction.bid" && $0.pid == ProcessIdentity.current.pid })

            // A holder that died: its key expired, its entry stayed. Paging drops it, index and all.
            _ = try await redis.send("DEL", RedisArgument(keys.lock("auction:bid:6")))
            let page = try await queries.heldLocks(PageRequest(sort: "key", limit: 20))
            #expect(page.rows.map(\.key) == remaining.filter { $0 != "auction:bid:6" }.sorted())
            #expect(page.next == nil)
            #expect(try await redis.send("ZCARD", RedisArgument(keys.registryByAge)).integer == 7)
            #expect(try await redis.send("ZCARD", RedisArgument(keys.registryByKey)).integer == 7)
            #expect(try await services.locks.heldLockCount() == 7)

            for key in remaining { releases[key]!.fire() }
            for key in remaining { try await holders[key]!.value }
            try await waitUntil("no lock is registered") { try await services.locks.heldLockCount() == 0 }
            #expect(try await queries.heldLocks(PageRequest(sort: "acquired_at")).rows.isEmpty)
            #expect(try await redis.send("ZCARD", RedisArgument(keys.registryByAge)).integer == 0)
            #expect(try await redis.send("ZCARD", RedisArgument(keys.registryByKey)).integer == 0)
        }
    }

    @Test func aSessionBlockedByTwoHoldersNamesBoth() async throws {
        try await TestServers.withServices { services in
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'first'), (2, 'second')")
            let queries = DashboardQueries(services: services)
            let pids = Ledger<(String, Int32)>()
            let pid = { (name: String) in pids.all.first { $0.0 == name }?.1 }
            /// Runs `statement` in a transaction of its own; a holder (`held` given) then waits for `release`.
            func session(_ name: String, _ statement: PostgresQuery, held: OneShotSignal? = nil,
                         release: OneShotSignal? = nil) -> Task<Void, any Error> {
                Task {
                    try await services.pool.withConnection { connection in
                        _ = try await connection.simpleQuery("BEGIN")
                        let pid = try await connection.query("SELECT pg_backend_pid()").rows[0].decode(Int32.self, at: 0)
                        pids.append((name, pid))
                        _ = try await connection.query(statement)
                        held?.fire()
                        if let release { _ = try await release.wait(timeout: .seconds(20)) }
                        _ = try await connection.simpleQuery("ROLLBACK")
                    }
                }
            }
            let (firstHolds, secondHolds, releaseFirst, releaseSecond) = (OneShotSignal(), OneShotSignal(), OneShotSignal(), OneShotSignal())
            let first = session("first", "SELECT id FROM users WHERE id = 1 FOR UPDATE", held: firstHolds, release: releaseFirst)
            let second = session("second", "SELECT id FROM users WHERE id = 2 FOR UPDATE", held: secondHolds, release: releaseSecond)
            #expect(try await firstHolds.wait(timeout: .seconds(5)))
            #expect(try await secondHolds.wait(timeout: .seconds(5)))
            let blocked = session("blocked", "LOCK TABLE users IN EXCLUSIVE MODE")

            let holderA = try #require(pid("first"))
            let holderB = try #require(pid("second"))
            try await waitUntil("the blocked session shows") { pid("blocked") != nil }
            let waiter = try #require(pid("blocked"))
            var waits: [PostgresLockWait] = []
            try await waitUntil("the blocked session waits") {
                waits = try await queries.postgresLockWaits()
                return waits.first { $0.id == waiter }?.blockedBy.count == 2
            }
            let mine = waits.filter { [holderA, holderB, waiter].contains($0.id) }
            #expect(mine.map(\.id) == [holderA, holderB, waiter].sorted())
            // Sessions of tests running alongside may wait too: this one counts at least.
            #expect(try await queries.counts().lockWaits >= 1)
            let blockedSession = try #require(mine.first { $0.id == waiter })
            #expect(blockedSession.blockedBy == [holderA, holderB].sorted())
            #expect(blockedSession.waitEvent == "Lock:relation")
            #expect(blockedSession.query == "LOCK TABLE users IN EXCLUSIVE MODE")
            #expect(blockedSession.state == "active")
            #expect(blockedSession.application == services.configuration.database.applicationName)
            #expect(blockedSession.waitingSince != nil)
            for holder in mine where holder.id != waiter {
                #expect(holder.blockedBy == [])
                #expect(holder.state == "idle in transaction")
                #expect(holder.waitingSince == nil)
                #expect(holder.query.hasSuffix("FOR UPDATE"))
            }
            releaseFirst.fire()
            releaseSecond.fire()
            try await first.value
            try await second.value
            try await blocked.value
            #expect(try await queries.postgresLockWaits().filter { [holderA, holderB, waiter].contains($0.id) }.isEmpty)
        }
    }

    @Test func theAuditLogIsNewestFirstByDefault() async throws {
        try await TestServers.withServices { services in
            // Past rows of other operators: planted by the superuser with the stamping trigger off
            // (it records the inserting login and now, as it must for every real row).
            _ = try await services.pool.simpleQuery("ALTER TABLE operator_actions DISABLE TRIGGER operator_actions_stamp")
            _ = try await services.pool.query("""
                INSERT INTO operator_actions (operator, role, action, target, reason, outcome, detail, created_at) VALUES
                    ('mo', 'moderator', 'cancel_auction', 'auction:1', 'fraud', 'done', NULL, '2026-01-01 10:00:00+00'),
                    ('ada', 'admin', 'cancel_transfer', 'transfer:2', 'stuck', 'done', 'refunded', '2026-01-01 11:00:00+00'),
                    ('ada', 'admin', 'resolve_withdrawal', 'withdrawal:3', 'stuck', 'done', NULL, '2026-01-01 11:00:00+00'),
                    ('mo', 'moderator', 'reject_proposal', 'proposal:4', 'spam', 'done', NULL, '2026-01-01 12:00:00+00')
                """)
            _ = try await services.pool.simpleQuery("ALTER TABLE operator_actions ENABLE TRIGGER operator_actions_stamp")
            let queries = DashboardQueries(services: services)
            let newest = try await pageThrough(PageRequest(sort: "", limit: 3)) { try await queries.auditLog($0) }
            #expect(newest.map(\.target) == ["proposal:4", "withdrawal:3", "transfer:2", "auction:1"])
            #expect(newest[2] == AuditEntry(id: newest[2].id, at: Date(timeIntervalSince1970: 1_767_265_200), operator: "ada",
                                            role: "admin", action: "cancel_transfer", target: "transfer:2", reason: "stuck",
                                            outcome: "done", detail: "refunded"))
            let oldest = try await pageThrough(PageRequest(sort: "at", limit: 3)) { try await queries.auditLog($0) }
            #expect(oldest.map(\.target) == ["auction:1", "transfer:2", "withdrawal:3", "proposal:4"])
            #expect(try await queries.auditLog(PageRequest(sort: "", filter: "CANCEL")).rows.map(\.target) == ["transfer:2", "auction:1"])
            #expect(try await queries.auditLog(PageRequest(sort: "operator", filter: "refunded")).rows.map(\.operator) == ["ada"])
        }
    }

    @Test func countsAreExactAndCachedForAFewSeconds() async throws {
        try await seededServices(locks: 5) { services, queries in
            let counts = try await queries.counts()
            // lockWaits counts the whole database's sessions, other tests' included: see the lock-wait test.
            #expect(counts == DashboardCounts(liveAuctions: 285, pendingProposals: 40, pendingTransfers: 6, pendingWithdrawals: 6,
                                              heldLocks: 5, lockWaits: counts.lockWaits))
            #expect(try await queries.heldLocks(PageRequest(sort: "key", limit: 500)).rows.count == 5)
            #expect(try await InvariantChecker(pool: services.pool).check() == [])

            _ = try await services.pool.query("UPDATE auctions SET state = 'cancelled' WHERE id = (SELECT min(id) FROM auctions WHERE state = 'active')")
            #expect(try await queries.counts().liveAuctions == 285)
            #expect(try await DashboardQueries(services: services).counts().liveAuctions == 284)
        }
    }

    @Test func theOverviewShowsTheFirstRowsOfEverySection() async throws {
        try await seededServices(locks: 8) { services, queries in
            let overview = try await queries.overview(rowsPerSection: 5)
            #expect(overview.auctions == (try await queries.liveAuctions(PageRequest(sort: "ends_at", limit: 5)).rows))
            #expect(overview.proposals == (try await queries.pendingProposals(PageRequest(sort: "created_at", limit: 5)).rows))
            #expect(overview.transfers == (try await queries.pendingTransfers(PageRequest(sort: "created_at", limit: 5)).rows))
            #expect(overview.locks.map(\.key) == (try await queries.heldLocks(PageRequest(sort: "acquired_at", limit: 5)).rows.map(\.key)))
            #expect(overview.locks.count == 5)
            #expect(overview.lockMode == .redis)
            #expect(overview.redisProblem == nil)
        }
    }

    @Test func theOverviewKeepsItsPostgresSectionsWhenRedisIsDown() async throws {
        let redisServer = try TestRedisServer()
        try await seededServices(locks: 3, redisURL: redisServer.url) { services, queries in
            #expect(try await queries.overview(rowsPerSection: 5).locks.count == 3)
            redisServer.kill()
            let overview = try await queries.overview(rowsPerSection: 5)
            #expect(overview.auctions == (try await queries.liveAuctions(PageRequest(sort: "ends_at", limit: 5)).rows))
            #expect(overview.auctions.count == 5)
            #expect(overview.locks.isEmpty)
            #expect(overview.redisProblem?.contains("127.0.0.1:\(redisServer.port)") == true)
            let counts = try await queries.counts()
            #expect(counts.liveAuctions == 285)
            #expect(counts.heldLocks == 0)
            #expect(counts.redisProblem?.contains("127.0.0.1:\(redisServer.port)") == true)
        }
    }
}
