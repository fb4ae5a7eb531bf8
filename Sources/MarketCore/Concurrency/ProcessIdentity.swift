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

/// `bytes` random bytes as lowercase hex, from the system's secure generator.
func randomHex(bytes: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
}
