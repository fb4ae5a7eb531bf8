import Foundation
@testable import MarketCore
@testable import MarketEmbedded

/// A redis-server of a test's own, so the test can stop and restart it.
final class TestRedisServer: @unchecked Sendable {
    let port: Int
    private let directory: URL
    private var pid: pid_t?

    init() throws {
        port = try Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-\(port)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    var url: String { "redis://127.0.0.1:\(port)/0" }

    func start() throws {
        pid = try ChildProcessRunner.launch(try Self.redisServer(), [
            "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--daemonize", "no",
        ])
        for _ in 0..<100 where !Self.accepts(port: port) { usleep(20_000) }
    }

    /// Kills the server at once, as a crash would.
    func kill() {
        guard let pid else { return }
        ChildProcessRunner.stop(pid, signal: SIGKILL)
        self.pid = nil
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    /// A port nothing listens on right now, found as the embedded servers find theirs.
    static func freePort() throws -> Int {
        guard let port = EmbeddedFreePort.pick() else { throw Failure(description: "no free port on 127.0.0.1") }
        return port
    }

    /// redis-server, found as the embedded servers find it.
    static func redisServer() throws -> String {
        guard let path = EmbeddedExecutables.find("redis-server") else { throw Failure(description: "redis-server is not installed") }
        return path
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func accepts(port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
