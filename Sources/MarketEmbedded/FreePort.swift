import Foundation
import MarketCore

/// Finds TCP ports on 127.0.0.1 that no one is listening on.
enum EmbeddedFreePort {
    /// A port the kernel reports free right now (by binding 127.0.0.1:0), skipping those in `avoiding`.
    static func pick(avoiding: Set<Int> = []) -> Int? {
        for _ in 0..<20 {
            if let port = probe(port: 0), !avoiding.contains(port) { return port }
        }
        return nil
    }

    /// Whether `port` can be bound on 127.0.0.1 right now.
    static func isFree(_ port: Int) -> Bool {
        guard (1...65535).contains(port) else { return false }
        return probe(port: port) != nil
    }

    /// `remembered` when it is still free and not in `avoiding`, else a fresh free port.
    static func reuseOrPick(_ remembered: Int?, avoiding: Set<Int> = []) -> Int? {
        if let remembered, !avoiding.contains(remembered), isFree(remembered) { return remembered }
        return pick(avoiding: avoiding)
    }

    /// Binds a TCP socket to 127.0.0.1:`port` (with SO_REUSEADDR, as the servers do), returns the bound port, closes it.
    private static func probe(port: Int) -> Int? {
        #if os(Linux)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }

        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))

        var address = sockaddr_in()
        #if !os(Linux)
        address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
        #endif
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian  // 127.0.0.1

        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { return nil }

        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return nil }
        let result = Int(UInt16(bigEndian: address.sin_port))
        return result > 0 ? result : nil
    }
}
