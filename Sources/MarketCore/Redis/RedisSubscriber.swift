import CHiredis
import Foundation
import Synchronization

/// A connection of its own that listens on Redis pub/sub channels and reconnects by itself.
///
/// Messages are delivered to `onMessage(channel, payload)` on the subscriber's thread: keep the
/// handler short. After every (re)connection `onConnected` runs, so listeners can re-check state
/// they may have missed while the link was down. Under Sentinel it subscribes on the master and
/// moves with it: a change of master drops the link and subscribes again on the new one.
public final class RedisSubscriber: Sendable {
    private let loop: SubscriberLoop

    public init(configuration: RedisConfiguration, channels: [String],
                onMessage: @escaping @Sendable (String, [UInt8]) -> Void,
                onConnected: @escaping @Sendable () -> Void = {}) {
        let sentinel = configuration.sentinel
        loop = SubscriberLoop(channels: channels, label: "redis-subscriber",
                              connect: { try RedisIOThread.connect(configuration) },
                              currentEpoch: { sentinel?.epoch ?? 0 },
                              onMessage: onMessage, onConnected: onConnected)
    }

    /// A subscriber whose links come from `connect` (a context and the epoch it belongs to); the
    /// link is dropped and made again when `currentEpoch` moves past it.
    init(channels: [String], label: String,
         connect: @escaping @Sendable () throws -> (UnsafeMutablePointer<redisContext>, Int),
         currentEpoch: @escaping @Sendable () -> Int,
         onMessage: @escaping @Sendable (String, [UInt8]) -> Void, onConnected: @escaping @Sendable () -> Void = {}) {
        loop = SubscriberLoop(channels: channels, label: label, connect: connect, currentEpoch: currentEpoch,
                              onMessage: onMessage, onConnected: onConnected)
    }

    /// True while subscribed.
    public var isConnected: Bool { loop.connected.load(ordering: .relaxed) }

    /// Stops listening; the thread exits within a poll interval.
    public func close() { loop.stop.store(true, ordering: .relaxed) }

    deinit { close() }
}

/// `@unchecked Sendable`: the context lives only on the loop's thread; the flags are atomic.
private final class SubscriberLoop: @unchecked Sendable {
    let channels: [String]
    let connect: @Sendable () throws -> (UnsafeMutablePointer<redisContext>, Int)
    let currentEpoch: @Sendable () -> Int
    let onMessage: @Sendable (String, [UInt8]) -> Void
    let onConnected: @Sendable () -> Void
    let stop = Atomic<Bool>(false)
    let connected = Atomic<Bool>(false)

    init(channels: [String], label: String,
         connect: @escaping @Sendable () throws -> (UnsafeMutablePointer<redisContext>, Int),
         currentEpoch: @escaping @Sendable () -> Int,
         onMessage: @escaping @Sendable (String, [UInt8]) -> Void, onConnected: @escaping @Sendable () -> Void) {
        self.channels = channels
        self.connect = connect
        self.currentEpoch = currentEpoch
        self.onMessage = onMessage
        self.onConnected = onConnected
        Thread.start(named: label) { [self] in run() }
    }

    private func run() {
        var pause: UInt32 = 50_000
        while !stop.load(ordering: .relaxed) {
            if case let (context, epoch)? = try? connect() {
                pause = 50_000
                listen(on: context, epoch: epoch)
                redisFree(context)
                connected.store(false, ordering: .relaxed)
            }
            if stop.load(ordering: .relaxed) { return }
            usleep(pause)
            pause = min(pause * 2, 1_000_000)
        }
    }

    /// Subscribes, then polls the socket so `stop` (and a change of master) is noticed without a blocking read.
    private func listen(on context: UnsafeMutablePointer<redisContext>, epoch: Int) {
        let subscribe: [RedisArgument] = ["SUBSCRIBE"] + channels.map { RedisArgument($0) }
        RedisIOThread.withArgv(subscribe) { argc, argv, lengths in
            _ = redisAppendCommandArgv(context, argc, argv, lengths)
        }
        var done: Int32 = 0
        repeat {
            if redisBufferWrite(context, &done) != REDIS_OK { return }
        } while done == 0
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        while !stop.load(ordering: .relaxed) && currentEpoch() == epoch {
            let ready = poll(&descriptor, 1, 250)
            if ready < 0 && errno != EINTR { return }
            if ready <= 0 { continue }
            if redisBufferRead(context) != REDIS_OK { return }
            var reply: UnsafeMutableRawPointer?
            while redisReaderGetReply(context.pointee.reader, &reply) == REDIS_OK, let raw = reply {
                let value = RedisValue(reply: raw.assumingMemoryBound(to: redisReply.self))
                // Announce the link only once Redis confirms the subscription: a release published
                // before that would be missed, so waiters re-check then.
                if value.array.first?.string == "subscribe", !connected.load(ordering: .relaxed) {
                    connected.store(true, ordering: .relaxed)
                    onConnected()
                }
                deliver(value)
                freeReplyObject(raw)
                reply = nil
            }
        }
    }

    private func deliver(_ value: RedisValue) {
        let parts = value.array
        guard parts.count == 3, parts[0].string == "message", let channel = parts[1].string,
              case .bulkString(let payload) = parts[2] else { return }
        onMessage(channel, payload)
    }
}
