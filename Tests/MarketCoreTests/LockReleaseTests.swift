import Foundation
import Testing
@testable import MarketCore

/// Releasing a stuck lock: the old holder is fenced out before its key goes, a new holder gets
/// the lock at once, and only on-call engineers and admins may do it.
@Suite("Releasing a stuck lock")
struct LockReleaseTests {
    /// A holder of `key` inside a Unit of Work that has written user 1's balance and waits for
    /// `proceed` before it commits.
    struct StuckHolder {
        let fence: Int64
        let token: String
        let proceed: OneShotSignal
        let task: Task<Void, any Error>
    }

    static func stuckHolder(_ f: MarketFixture, key: String) async throws -> StuckHolder {
        let wrote = OneShotSignal()
        let proceed = OneShotSignal()
        let lease = Ledger<LockLease>()
        let task = Task {
            try await f.services.locks.withLock(key, operation: "auction.bid", ttl: .seconds(30)) { held in
                try await f.services.database.withUnitOfWork(named: "test.stuck", lease: held) { uow in
                    try await uow.execute("UPDATE users SET balance = 111 WHERE id = 1")
                    lease.append(held)
                    wrote.fire()
                    _ = try await proceed.wait(timeout: .seconds(20))
                }
            }
        }
        #expect(try await wrote.wait(timeout: .seconds(10)))
        let held = try #require(lease.all.first)
        // The registry entry is written once the lock has been held a while, off its critical path.
        var polls = 0
        while try await f.services.locks.heldLocks().first(where: { $0.key == key })?.fence != held.fence, polls < 200 {
            try await Task.sleep(for: .milliseconds(5))
            polls += 1
        }
        return StuckHolder(fence: held.fence, token: held.token, proceed: proceed, task: task)
    }

    static func lockValue(_ f: MarketFixture, _ key: String) async throws -> String? {
        let redis = try #require(f.services.redis)
        return try await redis.send("GET", RedisArgument(LockKeys(namespace: redis.configuration.namespace).lock(key))).string
    }

    static func committedFence(_ f: MarketFixture, _ key: String) async throws -> Int64? {
        try await f.services.pool.query("SELECT fence FROM lock_fences WHERE lock_key = \(key)").first?.decode(Int64.self, at: 0)
    }

    @Test func aReleasedHolderCannotCommitAndANewHolderTakesTheLockAtOnce() async throws {
        try await MarketFixture.run { f in
            _ = try await f.services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a'), (2, 'b')")
            let key = "auction:bid:42"
            let holder = try await Self.stuckHolder(f, key: key)
            let olly = try await f.operatorNamed("olly", role: .oncall)

            let released = try await f.market.releaseLock(key: key, expectedFence: holder.fence, by: olly)
            #expect(released.key == key)
            #expect(released.previousHolder == ReleasedLock.Holder(host: ProcessIdentity.current.host, pid: ProcessIdentity.current.pid,
                                                                   operation: "auction.bid", fence: holder.fence))
            #expect(released.newFence > holder.fence)
            #expect(released.deletedKey)
            #expect(try await Self.committedFence(f, key) == released.newFence)
            #expect(try await f.auditRows() == ["\(olly.login) oncall release-lock \(key) done"])
            #expect(try await f.value("SELECT detail FROM operator_actions", as: String.self)
                    == "held by \(ProcessIdentity.current.name) for auction.bid with fence \(holder.fence); fence \(released.newFence) committed")
            #expect(try await f.services.locks.heldLocks().contains { $0.key == key } == false)

            // The old holder is still inside its Unit of Work; a new holder takes the lock without
            // waiting, and before the new holder commits anything the old one's commit is refused.
            let started = ContinuousClock.now
            let newFence = try await f.services.locks.withLock(key, operation: "test.new", wait: .milliseconds(200)) { lease in
                #expect(started.duration(to: .now) < .milliseconds(200))
                holder.proceed.fire()
                let refused = await #expect(throws: LockError.self) { try await holder.task.value }
                #expect(refused?.code == .staleFence)
                try await f.services.database.withUnitOfWork(named: "test.new", lease: lease) { uow in
                    try await uow.execute("UPDATE users SET balance = 222 WHERE id = 2")
                }
                return lease.fence
            }
            #expect(newFence > released.newFence)
            #expect(try await f.services.pool.query("SELECT balance FROM users WHERE id IN (1, 2) ORDER BY id").rows
                .map { try $0.decode(Int64.self, at: 0) } == [0, 222])
            #expect(try await Self.committedFence(f, key) == newFence)
        }
    }

    /// After a Redis restart or a failover the fence counter may lie below fences already handed
    /// out (a promoted replica that missed the last increments). A release then first raises the
    /// counter above every committed fence, as an acquisition does: its fence lies above the
    /// holder's, so the holder's commit is still refused. Taking the next number from the low
    /// counter would have committed a fence below the holder's, and let the holder commit.
    @Test func aReleaseAfterTheFenceCounterWentBackwardsStillFencesTheHolderOut() async throws {
        try await MarketFixture.run { f in
            _ = try await f.services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a')")
            let key = "auction:bid:47"
            let redis = try #require(f.services.redis)
            let keys = LockKeys(namespace: redis.configuration.namespace)
            try await redis.send("SET", RedisArgument(keys.fenceCounter), "1000")  // a market that has run a while
            let holder = try await Self.stuckHolder(f, key: key)
            let olly = try await f.operatorNamed("olly", role: .oncall)
            // Fences committed under the old master, above the holder's; then the counter as a
            // promoted replica that missed them has it, on a link this service has not synced.
            _ = try await f.services.pool.query("INSERT INTO lock_fences (lock_key, fence) VALUES ('auction:bid:1', \(holder.fence + 50))")
            try await redis.send("SET", RedisArgument(keys.fenceCounter), "1")
            try await redis.send("DEL", RedisArgument(f.services.locks.fenceSyncedKey))

            let released = try await f.market.releaseLock(key: key, expectedFence: holder.fence, by: olly)
            #expect(released.newFence > holder.fence + 50, "fence \(released.newFence), holder's \(holder.fence)")
            #expect(try await Self.committedFence(f, key) == released.newFence)
            holder.proceed.fire()
            let refused = await #expect(throws: LockError.self) { try await holder.task.value }
            #expect(refused?.code == .staleFence)
            #expect(try await f.value("SELECT balance FROM users WHERE id = 1", as: Int64.self) == 0)
        }
    }

    /// A waiter already queued for the key is woken by the release, as by a normal one.
    @Test func aWaiterQueuedBehindTheStuckHolderGetsTheLock() async throws {
        try await MarketFixture.run { f in
            _ = try await f.services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a')")
            let key = "channel:buy:7"
            let holder = try await Self.stuckHolder(f, key: key)
            let waiter = Task {
                try await f.services.locks.withLock(key, operation: "test.waiter", wait: .seconds(20)) { lease in lease.fence }
            }
            let redis = try #require(f.services.redis)
            let waiters = LockKeys(namespace: redis.configuration.namespace).waiters(key)
            try await waitUntil("the waiter is queued on Redis") {
                try await redis.send("ZCARD", RedisArgument(waiters)).integer == 1
            }
            let admin = try await f.operatorNamed("ada", role: .admin)
            let started = ContinuousClock.now
            let released = try await f.market.releaseLock(key: key, by: admin)
            let fence = try await waiter.value
            #expect(started.duration(to: .now) < .seconds(1))
            #expect(fence > released.newFence)
            holder.proceed.fire()
            let refused = await #expect(throws: LockError.self) { try await holder.task.value }
            #expect(refused?.code == .staleFence)
        }
    }

    @Test(arguments: [OperatorRole.viewer, .moderator])
    func onlyOnCallAndAdminsMayReleaseALock(_ role: OperatorRole) async throws {
        try await MarketFixture.run { f in
            _ = try await f.services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a')")
            let key = "auction:bid:43"
            let holder = try await Self.stuckHolder(f, key: key)
            let request = try await f.operatorNamed("\(role.rawValue)-op", role: role)
            let fenceBefore = try await Self.committedFence(f, key)

            let refused = await #expect(throws: MarketError.self) { try await f.market.releaseLock(key: key, by: request) }
            #expect(refused?.code == .forbidden)
            #expect(refused?.description == "operator \(request.login) (\(role.rawValue)) may not release-lock: admin or oncall only")
            #expect(try await Self.lockValue(f, key) == holder.token)
            #expect(try await Self.committedFence(f, key) == fenceBefore)
            #expect(try await f.auditRows() == ["\(request.login) \(role.rawValue) release-lock \(key) forbidden"])
            holder.proceed.fire()
            try await holder.task.value
            #expect(try await f.value("SELECT balance FROM users WHERE id = 1", as: Int64.self) == 111)
        }
    }

    @Test func aLockNobodyHoldsOrThatChangedHandsIsRefusedWithASentence() async throws {
        try await MarketFixture.run { f in
            _ = try await f.services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a')")
            let olly = try await f.operatorNamed("olly", role: .oncall)
            let none = await #expect(throws: MarketError.self) { try await f.market.releaseLock(key: "auction:bid:44", by: olly) }
            #expect(none?.code == .notFound)
            #expect(none?.description == "no lock auction:bid:44 is held")

            let holder = try await Self.stuckHolder(f, key: "auction:bid:44")
            let moved = await #expect(throws: MarketError.self) {
                try await f.market.releaseLock(key: "auction:bid:44", expectedFence: holder.fence - 1, by: olly)
            }
            #expect(moved?.code == .changed)
            #expect(moved?.description == "lock auction:bid:44 changed since you looked (now: held by \(ProcessIdentity.current.name) "
                    + "for auction.bid, fence \(holder.fence)) — review and confirm again")
            #expect(try await Self.lockValue(f, "auction:bid:44") == holder.token)
            #expect(try await f.auditRows() == [])
            holder.proceed.fire()
            try await holder.task.value
        }
    }

    /// The fence and the audit row commit together; when that commit fails the key stays with its
    /// holder, who still commits.
    @Test func theFenceAndTheAuditRowCommitTogetherBeforeTheKeyIsDeleted() async throws {
        try await MarketFixture.run { f in
            _ = try await f.services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a')")
            let key = "auction:bid:45"
            let holder = try await Self.stuckHolder(f, key: key)
            let olly = try await f.operatorNamed("olly", role: .oncall)
            let fenceBefore = try await Self.committedFence(f, key)
            try await f.failCommitsThatAudit()

            await #expect(throws: UnitOfWorkError.self) { try await f.market.releaseLock(key: key, by: olly) }
            #expect(try await Self.committedFence(f, key) == fenceBefore)
            #expect(try await Self.lockValue(f, key) == holder.token)
            #expect(try await f.auditRows() == [])
            holder.proceed.fire()
            try await holder.task.value
            #expect(try await f.value("SELECT balance FROM users WHERE id = 1", as: Int64.self) == 111)
        }
    }

    @Test func onTheAdvisoryFallbackReleaseIsRefusedWithASentence() async throws {
        var configuration = try TestServers.configuration()
        configuration.redis = nil
        let services = try await MarketServices.connect(configuration)
        #expect(services.locks.mode == .advisory)
        let market = Market(services: services, gateways: Gateways(telegram: SimulatedGateways(), ton: SimulatedGateways()))
        let refused = await #expect(throws: MarketError.self) {
            try await market.releaseLock(key: "auction:bid:46", by: OperatorRequest(reason: "stuck"))
        }
        #expect(refused?.code == .invalidState)
        #expect(refused?.description == "Redis is unreachable and locks are on advisory fallback: release-lock works on Redis locks only, "
                + "and a fallback advisory lock is freed when its holder's PostgreSQL session ends")
        await TestServers.teardown(services)
    }
}
