import Synchronization

/// Issues the tokens that tell one holder of a lock from every other.
///
/// A token only has to be unique: 16 random hex digits drawn once per service, then a counter.
/// That is unique across processes (and restarts) like a fully random token, without asking the
/// kernel for randomness on every acquisition.
final class LockTokens: Sendable {
    private let prefix = randomHex(bytes: 8)
    private let counter = Atomic<UInt64>(0)

    /// The next token: the service's random prefix, `-`, and a number never issued before by it.
    func next() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        return prefix + "-" + String(number, radix: 16)
    }
}
