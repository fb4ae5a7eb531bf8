import Foundation
import Synchronization
import Testing
@testable import MarketCore

/// A read-modify-write that only a lock keeps correct: read, pause, write back plus one.
func unprotectedIncrement(_ services: MarketServices, lease: LockLease, occupancy: Occupancy) async throws {
    occupancy.enter()
    defer { occupancy.leave() }
    try await services.database.withUnitOfWork(named: "test.increment", lease: lease) { uow in
        let value = try await uow.query("SELECT balance FROM users WHERE id = 1").rows[0].decode(Int64.self, at: 0)
        try await Task.sleep(for: .milliseconds(2))
        try await uow.execute("UPDATE users SET balance = \(value + 1) WHERE id = 1")
    }
}

@Suite("Distributed lock")
struct DistributedLockTests {
    @Test func thirtyTwoHoldersOfOneKeyExcludeEachOther() async throws {
        try await TestServers.withServices(maxConnections: 32) { services in
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'counter')")
            let occupancy = Occupancy()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        for _ in 0..<3 {
                            try await services.locks.withLock("counter:1", operation: "test.increment", wait: .seconds(30)) { lease in
                                try await unprotectedIncrement(services, lease: lease, occupancy: occupancy)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let value = try await services.pool.query("SELECT balance FROM users WHERE id = 1").rows[0].decode(Int64.self, at: 0)
            #expect(value == 96)
            #expect(occupancy.most == 1)
            #expect(services.locks.mode == .redis)
        }
    }

    @Test func releaseByANonHolderIsRefused() async throws {
        try await TestServers.withServices { services in
            let redis = try #require(services.redis)
            let keys = LockKeys(namespace: redis.configuration.namespace)
            try await services.locks.withLock("auction:bid:42") { lease async throws in
                #expect(try await services.locks.release(key: "auction:bid:42", token: "not-the-holder") == false)
                #expect(try await redis.send("GET", RedisArgument(keys.lock("auction:bid:42"))).string == lease.token)
                #expect(try await services.locks.extend(key: "auction:bid:42", token: "not-the-holder", ttl: .seconds(60)) == false)
            }
            #expect(try await redis.send("EXISTS", RedisArgument(keys.lock("auction:bid:42"))).integer == 0)
        }
    }

    /// A process that takes a lock and shuts down at once (a headless action) leaves the key
    /// free: its queued release goes out before Redis closes, or the next process would wait out the TTL.
    @Test func shuttingDownRightAfterALockLeavesTheKeyFree() async throws {
        for round in 0..<20 {
            let configuration = try TestServers.configuration()
            let services = try await MarketServices.connect(configuration)
            let key = "auction:bid:\(round)"
            // As `Market` takes its locks: on the pool's event loop, where Redis writes wait for the end of the turn.
            let loop = services.pool.taskExecutor
            try await withTaskExecutorPreference(loop) {
                try await services.locks.withLock(key, executor: loop) { _ in }
            }
            await TestServers.teardown(services)

            let redis = RedisConnection(configuration: try #require(configuration.redis))
            let keys = LockKeys(namespace: redis.configuration.namespace)
            #expect(try await redis.send("EXISTS", RedisArgument(keys.lock(key))).integer == 0, "round \(round)")
            redis.close()
        }
    }

    /// Holder A stalls past its lease (its key expires), B takes the lock and commits; when A
    /// resumes, its commit is refused by the fence check and none of its writes land.
    @Test func aHolderStalledPastItsLeaseCannotCommit() async throws {
        try await TestServers.withServices { services in
            let redis = try #require(services.redis)
            let keys = LockKeys(namespace: redis.configuration.namespace)
            _ = try await services.pool.query("INSERT INTO users (id, name) VALUES (1, 'a'), (2, 'b')")
            let aWrote = OneShotSignal()
            let bCommitted = OneShotSignal()
            let stalled = Task {
                try await services.locks.withLock("channel:buy:7", operation: "test.a") { lease in
                    try await services.database.withUnitOfWork(named: "test.a", lease: lease) { uow in
                        try await uow.execute("UPDATE users SET balance = 111 WHERE id = 1")
                        aWrote.fire()
                        _ = try await bCommitted.wait(timeout: .seconds(10))
                    }
                }
            }
            _ = try await aWrote.wait(timeout: .seconds(10))
            // A's lease runs out while it is stalled.
            _ = try await redis.send("DEL", RedisArgument(keys.lock("channel:buy:7")))
            let bFence = try await services.locks.withLock("channel:buy:7", operation: "test.b") { lease in
                try await services.database.withUnitOfWork(named: "test.b", lease: lease) { uow in
                    try await uow.execute("UPDATE users SET balance = 222 WHERE id = 2")
                }
                return lease.fence
            }
            bCommitted.fire()
            let error = await #expect(throws: LockError.self) { try await stalled.value }
            #expect(error?.code == .staleFence)
            let balances = try await services.pool.query("SELECT balance FROM users WHERE id IN (1, 2) ORDER BY id")
            #expect(try balances.rows.map { try $0.decode(Int64.self, at: 0) } == [0, 222])
            let fence = try await services.pool.query("SELECT fence FROM lock_fences WHERE lock_key = 'channel:buy:7'")
            #expect(try fence.rows[0].decode(Int64.self, at: 0) == bFence)
        }
    }

    @Test func aLeaseIsRenewedWhileTheBodyRunsLong() async throws {
        try await TestServers.withServices { services in
            let redis = try #require(services.redis)
            let keys = LockKeys(namespace: redis.configuration.namespace)
            try await services.locks.withLock("nft:buy:5", ttl: .milliseconds(300)) { lease in
                try await Task.sleep(for: .milliseconds(1200))
                #expect(!lease.isLost)
                #expect(try await redis.send("GET", RedisArgument(keys.lock("nft:buy:5"))).string == lease.token)
            }
        }
    }

    @Test func aLostLeaseCancelsTheBodyBeforeItsTTLRunsOut() async throws {
        try await TestServers.withServices { services in
            let redis = try #require(services.redis)
            let keys = LockKeys(namespace: redis.configuration.namespace)
            let started = ContinuousClock.now
            let error = await #expect(throws: LockError.self) {
                try await services.locks.withLock("withdraw:9", ttl: .milliseconds(600)) { _ in
                    // Someone else takes the key over while the body works.
                    _ = try await redis.send("SET", RedisArgument(keys.lock("withdraw:9")), "intruder")
                    try await Task.sleep(for: .seconds(5))
                }
            }
            #expect(error?.code == .leaseLost)
            #expect(started.duration(to: .now) < .seconds(2))
            #expect(try await redis.send("GET", RedisArgument(keys.lock("withdraw:9"))).string == "intruder")
            await services.stats.flush()
            let stats = try await StatsReader(redis: redis, namespace: redis.configuration.namespace).locks(seconds: 5)
            #expect(stats.first { $0.prefix == "withdraw" }?.lost == 1)
        }
    }

    @Test func aWaiterWakesWhenTheLockIsReleased() async throws {
        try await TestServers.withServices { services in
            let held = OneShotSignal()
            let holder = Task {
                try await services.locks.withLock("auction:bid:1") { _ in
                    held.fire()
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            _ = try await held.wait(timeout: .seconds(5))
            let started = ContinuousClock.now
            try await services.locks.withLock("auction:bid:1", wait: .seconds(5)) { _ in }
            let waited = started.duration(to: .now)
            try await holder.value
            #expect(waited >= .milliseconds(200))
            #expect(waited < .milliseconds(1500))
        }
    }

    @Test func aWaitThatRunsOutNamesTheHolder() async throws {
        try await TestServers.withServices { services in
            let held = OneShotSignal()
            let release = OneShotSignal()
            let holder = Task {
                try await services.locks.withLock("trade:3", operation: "trade.delete") { _ in
                    held.fire()
                    _ = try await release.wait(timeout: .seconds(10))
                }
            }
            _ = try await held.wait(timeout: .seconds(5))
            let error = await #expect(throws: LockError.self) {
                try await services.locks.withLock("trade:3", operation: "trade.new", wait: .milliseconds(200)) { _ in }
            }
            #expect(error?.code == .timeout)
            #expect(error?.description.contains("trade.delete") == true)
            #expect(error?.description.contains("\(ProcessIdentity.current.pid)") == true)
            release.fire()
            try await holder.value
            #expect(error?.rollbackReason == .lockTimeout)
        }
    }

    /// Sixteen tasks queue for a held key one after another; they get it in the order they came.
    @Test func waitersOfOneProcessAreServedFirstComeFirstServed() async throws {
        try await TestServers.withServices { services in
            let order = Ledger<Int>()
            let held = OneShotSignal()
            let release = OneShotSignal()
            let holder = Task {
                try await services.locks.withLock("presale:1") { _ in
                    held.fire()
                    _ = try await release.wait(timeout: .seconds(10))
                }
            }
            _ = try await held.wait(timeout: .seconds(5))
            var waiters: [Task<Void, any Error>] = []
            for index in 0..<16 {
                waiters.append(Task {
                    try await services.locks.withLock("presale:1", wait: .seconds(20)) { _ in order.append(index) }
                })
                // The next one starts only once this one has joined the queue: that fixes the order.
                try await waitUntil("waiter \(index) is queued") { services.locks.waitQueue.count("presale:1") == index + 1 }
            }
            release.fire()
            try await holder.value
            for waiter in waiters { try await waiter.value }
            #expect(order.all == Array(0..<16))
        }
    }

    @Test func theRegistryShowsHoldersAndWaitersWithoutScanning() async throws {
        try await TestServers.withServices { services in
            let held = OneShotSignal()
            let release = OneShotSignal()
            let holder = Task {
                try await services.locks.withLock("auction:bid:77", operation: "auction.bid", ttl: .seconds(30)) { lease in
                    held.fire()
                    _ = try await release.wait(timeout: .seconds(10))
                    return lease.fence
                }
            }
            _ = try await held.wait(timeout: .seconds(5))
            let waiter = Task { try await services.locks.withLock("auction:bid:77", wait: .seconds(10)) { _ in } }
            // The registry entry is written once the lock has been held for the registration delay.
            var locks = try await services.locks.heldLocks()
            for _ in 0..<100 where locks.isEmpty || locks.first?.waiters == 0 {
                try await Task.sleep(for: .milliseconds(20))
                locks = try await services.locks.heldLocks()
            }
            #expect(locks.count == 1)
            let lock = try #require(locks.first)
            #expect(lock.key == "auction:bid:77")
            #expect(lock.operation == "auction.bid")
            #expect(lock.pid == ProcessIdentity.current.pid)
            #expect(lock.host == ProcessIdentity.current.host)
            #expect(lock.leaseMilliseconds == 30_000)
            #expect(lock.ttlLeftMilliseconds > 25_000)
            #expect(lock.waiters == 1)
            release.fire()
            let fence = try await holder.value
            #expect(lock.fence == fence)
            try await waiter.value
            #expect(try await services.locks.heldLocks().isEmpty)
        }
    }

    @Test func locksReleasedAtOnceLeaveNoRegistryEntryOrIndexMemberBehind() async throws {
        try await TestServers.withServices { services in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for client in 0..<16 {
                    group.addTask {
                        for index in 0..<50 { try await services.locks.withLock("test:quick:\(client):\(index)") { _ in } }
                    }
                }
                try await group.waitForAll()
            }
            let redis = try #require(services.redis)
            let keys = LockKeys(namespace: redis.configuration.namespace)
            // Releases are written behind the holders' backs: give the last batch a moment.
            var left: [Int64?] = []
            for _ in 0..<50 {
                left = try await redis.pipeline([["HLEN", RedisArgument(keys.registry)], ["ZCARD", RedisArgument(keys.registryByAge)],
                                                 ["ZCARD", RedisArgument(keys.registryByKey)]]).map(\.integer)
                if left == [0, 0, 0] { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(left == [0, 0, 0])
        }
    }

    @Test func aRegistrationWhoseReleaseIsInTheSameBatchIsDropped() {
        let batch: [LockBookkeeper.Operation] = [
            .register(key: "a", token: "t1", entry: "e1"), .register(key: "b", token: "t2", entry: "e2"),
            .release(key: "a", token: "t1"), .release(key: "c", token: "t3"),
        ]
        let kept = LockBookkeeper.withoutShortLivedRegistrations(batch).map { operation -> String in
            switch operation {
            case .register(let key, let token, _): "register \(key) \(token)"
            case .release(let key, let token): "release \(key) \(token)"
            }
        }
        #expect(kept == ["register b t2", "release a t1", "release c t3"])
    }

    @Test func aTaskCancelledWhileWaitingLeavesNothingBehind() async throws {
        try await TestServers.withServices { services in
            let redis = try #require(services.redis)
            let keys = LockKeys(namespace: redis.configuration.namespace)
            let held = OneShotSignal()
            let release = OneShotSignal()
            let holder = Task {
                try await services.locks.withLock("account:4") { _ in
                    held.fire()
                    _ = try await release.wait(timeout: .seconds(10))
                }
            }
            _ = try await held.wait(timeout: .seconds(5))
            let waiter = Task { try await services.locks.withLock("account:4", wait: .seconds(10)) { _ in "ran" } }
            try await waitUntil("the waiter is queued on Redis") {
                try await redis.send("ZCARD", RedisArgument(keys.waiters("account:4"))).integer == 1
            }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            release.fire()
            try await holder.value
            // The waiter's Redis entry is removed behind its back: wait for that, not for a fixed time.
            try await waitUntil("the lock and its wait queue are gone") {
                try await redis.send("EXISTS", RedisArgument(keys.lock("account:4")), RedisArgument(keys.waiters("account:4"))).integer == 0
            }
            #expect(services.locks.waitQueue.count("account:4") == 0)
        }
    }
}
