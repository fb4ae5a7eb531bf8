import Foundation

/// Who this process is, as shown beside the locks it holds and the stats it reports.
public struct ProcessIdentity: Sendable, Equatable {
    public let host: String
    public let pid: Int32
    /// Random per process start, so two runs with a recycled pid are told apart.
    public let instance: String

    /// `host:pid`.
    public var name: String { "\(host):\(pid)" }

    public static let current: ProcessIdentity = {
        let host = ProcessInfo.processInfo.hostName
        return ProcessIdentity(host: host, pid: getpid(), instance: randomHex(bytes: 4))
    }()
}

/// `bytes` random bytes as lowercase hex, from the system's secure generator (one call per 8 bytes).
/// `package`: the embedded Redis' password and the seeded lock tokens come from it too.
package func randomHex(bytes: Int) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var generator = SystemRandomNumberGenerator()
    var hex = [UInt8]()
    hex.reserveCapacity(bytes * 2)
    var word: UInt64 = 0
    for index in 0..<bytes {
        if index % 8 == 0 { word = generator.next() }
        let byte = UInt8(truncatingIfNeeded: word >> UInt64((index % 8) * 8))
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: hex, as: UTF8.self)
}
