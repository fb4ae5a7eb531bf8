import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import Testing

@Suite("Embedded servers", .serialized)
struct EmbeddedServersTests {
    /// Starts PostgreSQL and Redis in a fresh state directory, prepares the market (the owner's
    /// login an admin, the traffic's login apart), stops them, and starts again on the same data.
    @Test func startStopAndReuseTheStateDirectory() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("mc-embedded-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let first = try EmbeddedServers.start(stateDirectory: state)
        try await first.prepareMarket(progress: { _ in })
        var configuration = try MarketConfiguration(databaseURL: first.databaseURL, redisURL: first.redisURL)
        let services = try await MarketServices.connect(configuration)
        let owner = try await Market(services: services, gateways: Gateways(telegram: SimulatedGateways(), ton: SimulatedGateways())).identity()
        #expect(owner == OperatorLogin(login: first.ownerLogin, role: .admin, isSuperuser: false))
        #expect(try await services.redis?.send("PING") == .simpleString("PONG"))
        await services.shutdown()
        configuration.database = try PostgresConfiguration(url: first.trafficDatabaseURL)
        let traffic = try await MarketServices.connect(configuration)
        _ = try await traffic.pool.query("INSERT INTO users (name) VALUES ('kept')")
        #expect(try await traffic.pool.query("SELECT mc_operator_role(session_user)").rows[0].decode(String.self, at: 0) == "viewer",
                "the market's own traffic is no operator")
        await traffic.shutdown()
        first.stop()

        let second = try EmbeddedServers.start(stateDirectory: state)
        defer { second.stop() }
        #expect(second.databaseURL == first.databaseURL)
        #expect(second.redisURL == first.redisURL)
        try await second.prepareMarket(progress: { _ in })
        let again = try await MarketServices.connect(try MarketConfiguration(databaseURL: second.databaseURL, redisURL: second.redisURL))
        let kept = try await again.pool.query("SELECT count(*) FROM users WHERE name = 'kept'")
        #expect(try kept.rows[0].decode(Int.self, at: 0) == 1)
        #expect(try await Migrator(pool: again.pool).migrate() == [])
        await again.shutdown()
    }

    /// Another OS user of the machine reaches neither server: PostgreSQL's socket directory is the
    /// server's alone and it listens on no TCP address; Redis wants the password of a 0600 file.
    @Test func anotherOSUserReachesNeitherServer() async throws {
        guard geteuid() == 0, let useradd = EmbeddedExecutables.find("useradd", preferring: ["/usr/sbin"]),
              let userdel = EmbeddedExecutables.find("userdel", preferring: ["/usr/sbin"]),
              let psql = EmbeddedExecutables.postgresBinDirectory().map({ ($0 as NSString).appendingPathComponent("psql") }),
              let redisCLI = EmbeddedExecutables.find("redis-cli") else {
            Issue.record("this test creates a second OS user: run it as root (scripts/test.sh in CI is)")
            return
        }
        let intruder = "mcintruder"
        _ = ChildProcessRunner.run(userdel, [intruder], timeout: 30)
        let created = ChildProcessRunner.run(useradd, ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", intruder], timeout: 30)
        #expect(created.succeeded, "\(created.output)")
        defer { _ = ChildProcessRunner.run(userdel, [intruder], timeout: 30) }
        // /tmp is traversable by everyone, as a home directory would be.
        let state = "/tmp/mc-embedded-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let servers = try EmbeddedServers.start(stateDirectory: state)
        defer { servers.stop() }
        try await servers.prepareMarket(progress: { _ in })
        let ports = EmbeddedPortsFile.load(from: state)
        let pgPort = try #require(ports.postgres), redisPort = try #require(ports.redis)
        let socket = EmbeddedPostgresLauncher.socketDirectory(for: state)

        for login in ["market", servers.ownerLogin, "market_service"] {
            let viaSocket = ChildProcessRunner.run(psql, ["-h", socket, "-p", "\(pgPort)", "-U", login, "-d", "market", "-c", "SELECT 1"],
                                                   as: intruder, directory: "/", timeout: 30)
            #expect(!viaSocket.succeeded && viaSocket.output.contains("Permission denied"), "\(viaSocket.output)")
            let viaTCP = ChildProcessRunner.run(psql, ["-h", "127.0.0.1", "-p", "\(pgPort)", "-U", login, "-d", "market", "-c", "SELECT 1"],
                                                as: intruder, directory: "/", timeout: 30)
            #expect(!viaTCP.succeeded && viaTCP.output.contains("Connection refused"), "\(viaTCP.output)")
        }
        let ping = ChildProcessRunner.run(redisCLI, ["-h", "127.0.0.1", "-p", "\(redisPort)", "ping"], as: intruder, directory: "/", timeout: 30)
        #expect(ping.output.contains("NOAUTH"), "\(ping.output)")
        let readPassword = ChildProcessRunner.run("/bin/cat", [state + "/redis.password"], as: intruder, directory: "/", timeout: 30)
        #expect(!readPassword.succeeded, "\(readPassword.output)")

        // The owner (this process's OS user) does reach both, as its own login.
        let owner = ChildProcessRunner.run(psql, ["-h", socket, "-p", "\(pgPort)", "-d", "market", "-tAc", "SELECT session_user"],
                                           directory: "/", timeout: 30)
        #expect(owner.output.trimmingCharacters(in: .whitespacesAndNewlines) == servers.ownerLogin, "\(owner.output)")
        let password = try String(contentsOfFile: state + "/redis.password", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let ownerPing = ChildProcessRunner.run(redisCLI, ["-h", "127.0.0.1", "-p", "\(redisPort)", "ping"],
                                               environment: ["REDISCLI_AUTH": password], directory: "/", timeout: 30)
        #expect(ownerPing.output.contains("PONG"), "\(ownerPing.output)")
    }
}
