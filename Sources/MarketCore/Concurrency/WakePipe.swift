import Foundation

/// A self-pipe that wakes a thread sleeping in `poll`: a byte written to one end makes the other
/// readable. Both ends are non-blocking, so neither a burst of signals nor a drain ever blocks.
final class WakePipe: Sendable {
    /// The end the sleeping thread watches for `POLLIN`.
    let readEnd: Int32
    private let writeEnd: Int32

    init() {
        var ends: [Int32] = [-1, -1]
        _ = pipe(&ends)
        for end in ends { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        (readEnd, writeEnd) = (ends[0], ends[1])
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    /// Wakes the thread (or makes its next `poll` return at once).
    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe once `poll` said it was readable.
    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }
}
