import Foundation
import MarketCore

/// PostgreSQL and Redis servers that the console runs for itself in a state directory when no URLs are configured.
///
/// Layout of the state directory: `postgres/` (data directory), `postgres.log`, `initdb.log`, `run/` (PostgreSQL's
/// Unix socket, mode 0700), `redis/`, `redis.conf` and `redis.password` (mode 0600), `redis.log`, `redis.pid` and
/// `ports.json` (the ports to reuse on the next start). All work is synchronous and blocking: call it off the async pool.
///
/// Locked down for one person, the OS user running the console: PostgreSQL listens on no TCP
/// address and takes peer authentication on a socket directory no other user may enter; Redis
/// listens on 127.0.0.1 and wants the password of `redis.password`.
public final class EmbeddedServers: Sendable {
    /// The console's connection: the machine owner's own login (its operator, an admin).
    public let databaseURL: String
    /// The set-up connection: the superuser, for migrations and creating logins.
    public let setupDatabaseURL: String
    /// The market's own traffic's connection: the `market_service` login.
    public let trafficDatabaseURL: String
    /// The reconciler's connection: the `market_reconciler_service` login.
    public let reconcilerDatabaseURL: String
    /// The owner's login, named after the OS user running the console.
    public let ownerLogin: String
    /// URL of the Redis server, with its password: never log or show it.
    public let redisURL: String
    /// The directory holding the servers' data, logs, pid files and `ports.json`.
    public let stateDirectory: String

    private let postgres: EmbeddedPostgres
    private let redis: EmbeddedRedis
    private let stopped = EmbeddedOnce()

    private init(stateDirectory: String, postgres: EmbeddedPostgres, redis: EmbeddedRedis) {
        self.stateDirectory = stateDirectory
        self.postgres = postgres
        self.redis = redis
        self.ownerLogin = EmbeddedServerAccount.currentUserName
        self.databaseURL = postgres.url(login: ownerLogin)
        self.setupDatabaseURL = postgres.url(login: EmbeddedPostgresLauncher.superuser)
        self.trafficDatabaseURL = postgres.url(login: EmbeddedPostgresLauncher.trafficLogin)
        self.reconcilerDatabaseURL = postgres.url(login: EmbeddedPostgresLauncher.reconcilerLogin)
        self.redisURL = redis.url
    }

    /// Starts (or reuses already-running) servers in `stateDirectory`. `progress` receives one human line per step ("initialising PostgreSQL data directory…", "starting Redis on 127.0.0.1:6390…").
    ///
    /// - Throws: ``EmbeddedServersError`` with one line saying what failed and which log file to read. When Redis fails
    ///   after PostgreSQL was started here, PostgreSQL is stopped again before the error is thrown.
    public static func start(stateDirectory: String, progress: @Sendable (String) -> Void = { _ in }) throws -> EmbeddedServers {
        let directory = URL(fileURLWithPath: stateDirectory).standardizedFileURL.path
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o711])
        } catch {
            throw EmbeddedServersError("cannot create state directory \(directory): \(error.localizedDescription)")
        }

        // Others may pass through (the server's user must), never list or write: the console's log
        // may have made the directory first, with the default mode.
        var status = stat()
        if stat(directory, &status) == 0, status.st_mode & 0o066 != 0 { chmod(directory, status.st_mode & 0o711) }

        var ports = EmbeddedPortsFile.load(from: directory)
        let postgres = try EmbeddedPostgresLauncher.start(
            stateDirectory: directory, rememberedPort: ports.postgres, progress: progress)
        let redis: EmbeddedRedis
        do {
            redis = try EmbeddedRedisLauncher.start(
                stateDirectory: directory, rememberedPort: ports.redis, avoiding: [postgres.port], progress: progress)
        } catch {
            EmbeddedPostgresLauncher.stop(postgres)
            throw error
        }

        let servers = EmbeddedServers(stateDirectory: directory, postgres: postgres, redis: redis)
        ports.postgres = postgres.port
        ports.redis = redis.port
        if ports != EmbeddedPortsFile.load(from: directory) {
            do {
                try ports.save(to: directory)
            } catch {
                servers.stop()
                throw error
            }
        }
        return servers
    }

    /// Default state directory: $MARKET_CONSOLE_STATE_DIR if set; when running as root /var/lib/market-console; else $XDG_STATE_HOME/market-console or ~/.local/state/market-console.
    public static var defaultStateDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["MARKET_CONSOLE_STATE_DIR"], !explicit.isEmpty {
            return explicit
        }
        if EmbeddedServerAccount.runningAsRoot {
            return "/var/lib/market-console"
        }
        if let stateHome = environment["XDG_STATE_HOME"], stateHome.hasPrefix("/") {
            return (stateHome as NSString).appendingPathComponent("market-console")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".local/state/market-console")
    }

    /// Stops the servers this instance started (not ones it merely reused), cleanly: pg_ctl stop -m fast; redis SHUTDOWN NOSAVE (via redis-cli or by sending SIGTERM to the pid from its pidfile and waiting).
    ///
    /// Only the first call does anything; it blocks until both servers have exited.
    public func stop() {
        guard stopped.claim() else { return }
        EmbeddedRedisLauncher.stop(redis)
        EmbeddedPostgresLauncher.stop(postgres)
    }
}

/// A flag that exactly one caller can claim, from any thread.
private final class EmbeddedOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    /// True for the first caller only.
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
