import Foundation
import Testing
@testable import MarketCore

@Suite("Embedded servers", .serialized)
struct EmbeddedServersTests {
    /// Starts PostgreSQL and Redis in a fresh state directory, migrates through them, stops them,
    /// and starts again on the same data and ports.
    @Test func startStopAndReuseTheStateDirectory() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("mc-embedded-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let first = try EmbeddedServers.start(stateDirectory: state)
        let configuration = try MarketConfiguration(databaseURL: first.databaseURL, redisURL: first.redisURL)
        let services = try await MarketServices.connect(configuration)
        _ = try await services.pool.query("INSERT INTO operators (name, role) VALUES ('kept', 'admin')")
        #expect(try await services.redis?.send("PING") == .simpleString("PONG"))
        await services.shutdown()
        first.stop()

        let second = try EmbeddedServers.start(stateDirectory: state)
        defer { second.stop() }
        #expect(second.databaseURL == first.databaseURL)
        #expect(second.redisURL == first.redisURL)
        let again = try await MarketServices.connect(try MarketConfiguration(databaseURL: second.databaseURL,
                                                                             redisURL: second.redisURL))
        let operators = try await again.pool.query("SELECT name FROM operators")
        #expect(try operators.rows.map { try $0.decode(String.self, at: 0) } == ["kept"])
        #expect(try await Migrator(pool: again.pool).migrate() == [])
        await again.shutdown()
    }
}
