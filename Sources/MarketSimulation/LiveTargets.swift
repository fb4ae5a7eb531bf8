import MarketCore
import Synchronization

/// The hot auction and the presale the simulated traffic aims at, renewed as they run out.
///
/// The seeded hot auction ends after an hour and the presale sells out; a live market then opens
/// the next of each, so a console left running on the simulated market keeps its hot key and its
/// presale buys. One client renews a target while the others carry on with the old one.
final class LiveTargets: Sendable {
    enum Target: Hashable, Sendable { case hotAuction, presale }

    private struct State {
        var current: [Target: Int64]
        var renewing: Set<Target> = []
    }

    private let state: Mutex<State>

    init(hotAuction: Int64, presale: Int64) {
        state = Mutex(State(current: [.hotAuction: hotAuction, .presale: presale]))
    }

    /// The target's current id.
    subscript(target: Target) -> Int64 {
        state.withLock { $0.current[target]! }
    }

    /// Replaces `stale` with the id `open` returns, unless another client renews it already or did
    /// so before; returns whether this call renewed it.
    @discardableResult
    func renew(_ target: Target, after stale: Int64, opening open: () async throws -> Int64) async throws -> Bool {
        let claimed = state.withLock { state in
            guard state.current[target] == stale, !state.renewing.contains(target) else { return false }
            state.renewing.insert(target)
            return true
        }
        guard claimed else { return false }
        do {
            let opened = try await open()
            state.withLock {
                $0.current[target] = opened
                $0.renewing.remove(target)
            }
            return true
        } catch {
            _ = state.withLock { $0.renewing.remove(target) }
            throw error
        }
    }
}
