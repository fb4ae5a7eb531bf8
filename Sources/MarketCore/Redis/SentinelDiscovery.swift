import CHiredis
import Foundation
import Synchronization

/// Finds the Redis master through Sentinel, the way Redis' "Sentinel clients" guidelines say.
///
/// - Every (re)connection asks the sentinels in turn `SENTINEL get-master-addr-by-name`; the first
///   that answers moves to the head of the list. The connection then confirms the address with
///   `ROLE` (see ``RedisIOThread/connect(_:)``), since a sentinel may name a master that has just
///   been demoted.
/// - Once a master is known, a watcher subscribes to `+switch-master` on a sentinel (any that
///   answers) and moves ``currentMaster`` as soon as the sentinels promote a replica.
/// - Every change of master bumps ``epoch``: connections made before it drop their link and
///   discover the master again, so no command goes to a demoted master for long.
///
/// The URL's credentials are for the master. Sentinels that ask for a password of their own
/// (`requirepass` in sentinel.conf) get `password` with AUTH on every link, the watcher's too; a
/// sentinel that refuses it, or asks for one when none is set, is a configuration error
/// (`.refused`), not an outage.
public final class SentinelDiscovery: Sendable {
    /// The sentinels, in the order the URL gave them.
    public let sentinels: [RedisAddress]
    /// The name the sentinels monitor the master under (`sentinel monitor NAME …`).
    public let masterName: String
    /// The sentinels' own password; nil when they ask for none.
    private let password: String?

    private struct State {
        var order: [RedisAddress]
        var master: RedisAddress?
        var epoch = 0
        var lastSwitch: MasterSwitch?
        var observers: [Int: @Sendable () -> Void] = [:]
        var nextObserver = 0
    }

    private let state: Mutex<State>
    private let watcher = Mutex<RedisSubscriber?>(nil)
    /// How long one sentinel gets to answer before the next is asked.
    private static let sentinelTimeout = timeval(tv_sec: 1, tv_usec: 0)

    init(sentinels: [RedisAddress], masterName: String, password: String? = nil) {
        self.sentinels = sentinels
        self.masterName = masterName
        self.password = password
        state = Mutex(State(order: sentinels))
    }

    deinit { watcher.withLock { $0?.close() } }

    /// The master the sentinels named last (nil before the first connection).
    public var currentMaster: RedisAddress? { state.withLock { $0.master } }

    /// The last time the master moved while this process was connected.
    public var lastSwitch: MasterSwitch? { state.withLock { $0.lastSwitch } }

    /// Bumped on every change of master; a link made under an older epoch is stale.
    var epoch: Int { state.withLock { $0.epoch } }

    /// Calls `callback` (on whatever thread saw it) whenever the master moves; returns a handle
    /// for ``stopObserving(_:)``.
    func observe(_ callback: @escaping @Sendable () -> Void) -> Int {
        state.withLock { state in
            state.nextObserver += 1
            state.observers[state.nextObserver] = callback
            return state.nextObserver
        }
    }

    func stopObserving(_ handle: Int) {
        _ = state.withLock { $0.observers.removeValue(forKey: handle) }
    }

    /// Asks the sentinels in turn for the master's address (blocking: call it on a connection's own thread).
    ///
    /// - Throws: `.refused` when every sentinel that answered knows no master of that name, or
    ///   refused the password (configuration errors, not outages); `.connectionFailed` when none answered.
    func discoverMaster() throws -> RedisAddress {
        let order = state.withLock { $0.order }
        var problems: [String] = []
        var unknownTo: [RedisAddress] = []
        var refusals: [(sentinel: RedisAddress, reason: String)] = []
        for sentinel in order {
            switch ask(sentinel) {
            case .success(let master?):
                state.withLock { state in
                    state.order.removeAll { $0 == sentinel }
                    state.order.insert(sentinel, at: 0)
                }
                return master
            case .success(nil):
                unknownTo.append(sentinel)
            case .failure(let error) where error.code == .refused:
                refusals.append((sentinel, error.message))
            case .failure(let error):
                problems.append("\(sentinel): \(error.message)")
            }
        }
        if !unknownTo.isEmpty {
            throw RedisError(code: .refused, message: "no Redis master named \"\(masterName)\": the sentinels at "
                             + unknownTo.map(\.description).joined(separator: ", ") + " do not monitor one by that name")
        }
        if !refusals.isEmpty {
            // Sentinels share one configuration: name each reason once, with the sentinels that gave it.
            let reasons = Dictionary(grouping: refusals, by: \.reason).sorted { $0.key < $1.key }.map { reason, from in
                "\(from.map(\.sentinel.description).joined(separator: ", ")): \(reason)"
            }
            throw RedisError(code: .refused, message: "the sentinels refused this client (\(reasons.joined(separator: "; ")))")
        }
        throw RedisError(code: .connectionFailed,
                         message: "no sentinel answered for master \(masterName) (\(problems.joined(separator: "; ")))")
    }

    /// A connection confirmed `master` with ROLE: remember it, and start following `+switch-master`.
    /// Returns the epoch the connection belongs to.
    func confirmed(_ master: RedisAddress) -> Int {
        moveMaster(to: master)
        startWatching()
        return epoch
    }

    /// Records a new master (a no-op when it is the known one) and tells the observers.
    private func moveMaster(to master: RedisAddress) {
        let observers = state.withLock { state -> [@Sendable () -> Void] in
            guard state.master != master else { return [] }
            if let previous = state.master {
                state.lastSwitch = MasterSwitch(from: previous, to: master, at: Date())
                state.epoch += 1
            }
            state.master = master
            return Array(state.observers.values)
        }
        observers.forEach { $0() }
    }

    /// `SENTINEL get-master-addr-by-name`: the address, nil when this sentinel knows no such master.
    private func ask(_ sentinel: RedisAddress) -> Result<RedisAddress?, RedisError> {
        let context: UnsafeMutablePointer<redisContext>
        do {
            context = try open(sentinel)
        } catch let error as RedisError {
            return .failure(error)
        } catch {
            return .failure(RedisError(code: .connectionFailed, message: "\(error)"))
        }
        defer { redisFree(context) }
        return RedisIOThread.reply(to: ["SENTINEL", "get-master-addr-by-name", RedisArgument(masterName)], on: context)
            .mapError { error in
                // Refusals no retry cures: the sentinel wants a password, or its ACL forbids the command.
                if error.message.hasPrefix("NOAUTH") {
                    return RedisError(code: .refused, message: "\(error.message) (they ask for a password of their own)")
                }
                return error.message.hasPrefix("NOPERM") ? RedisError(code: .refused, message: error.message) : error
            }
            .flatMap { reply -> Result<RedisAddress?, RedisError> in
                switch reply {
                case .null:
                    return .success(nil)
                case .array(let parts):
                    guard parts.count == 2, let host = parts[0].string, let port = parts[1].string.flatMap({ Int($0) }) else {
                        return .failure(RedisError(code: .commandFailed, message: "unexpected reply \(reply)"))
                    }
                    return .success(RedisAddress(host: host, port: port))
                case .error(let message):
                    return .failure(RedisError(code: .commandFailed, message: message))
                default:
                    return .failure(RedisError(code: .commandFailed, message: "unexpected reply \(reply)"))
                }
            }
    }

    /// Subscribes to `+switch-master` on the first sentinel that answers, once per process.
    private func startWatching() {
        watcher.withLock { watcher in
            guard watcher == nil else { return }
            watcher = RedisSubscriber(
                channels: ["+switch-master"], label: "redis-sentinel-watch",
                connect: { [weak self] in
                    guard let self else { throw RedisError(code: .closed, message: "sentinel discovery released") }
                    return (try self.openAnySentinel(), 0)
                },
                currentEpoch: { 0 },
                onMessage: { [weak self] _, payload in self?.switchAnnounced(String(decoding: payload, as: UTF8.self)) })
        }
    }

    private func openAnySentinel() throws -> UnsafeMutablePointer<redisContext> {
        var problems: [String] = []
        for sentinel in state.withLock({ $0.order }) {
            do {
                return try open(sentinel)
            } catch {
                problems.append("\(error)")
            }
        }
        throw RedisError(code: .connectionFailed, message: "no sentinel answered (\(problems.joined(separator: "; ")))")
    }

    /// A link to `sentinel`, authenticated when the sentinels have a password; `.refused` when
    /// the sentinel refuses it.
    private func open(_ sentinel: RedisAddress) throws -> UnsafeMutablePointer<redisContext> {
        let context = try RedisIOThread.open(sentinel, timeout: Self.sentinelTimeout)
        guard let password else { return context }
        if case .failure(let error) = RedisIOThread.reply(to: ["AUTH", RedisArgument(password)], on: context) {
            redisFree(context)
            guard error.code == .commandFailed else { throw error }
            throw RedisError(code: .refused, message: "the sentinel password was refused: \(error.message)")
        }
        return context
    }

    /// `+switch-master` carries `name old-ip old-port new-ip new-port`.
    private func switchAnnounced(_ message: String) {
        let parts = message.split(separator: " ")
        guard parts.count == 5, parts[0] == masterName, let port = Int(parts[4]) else { return }
        moveMaster(to: RedisAddress(host: String(parts[3]), port: port))
    }
}

/// One promotion seen by this process: the master moved from one address to another.
public struct MasterSwitch: Sendable, Equatable {
    public var from: RedisAddress
    public var to: RedisAddress
    /// When this process learned of it.
    public var at: Date
}
