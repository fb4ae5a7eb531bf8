import Foundation
import MarketCore

/// A Redis server for the state directory, started or reused by ``EmbeddedRedisLauncher``.
struct EmbeddedRedis: Sendable {
    /// Path of redis-cli.
    let cliPath: String
    /// TCP port on 127.0.0.1.
    let port: Int
    /// `<state>/redis.pid`.
    let pidFile: String
    /// `<state>/redis.log`.
    let logFile: String
    /// Whether this process started the server (and so must stop it).
    let startedHere: Bool
    /// The `requirepass` password, from `<state>/redis.password` (mode 0600). Never logged or shown.
    let password: String

    /// URL of database 0, with the password: keep it out of logs, argv and the screen.
    var url: String { "redis://:\(password)@127.0.0.1:\(port)/0" }
}

/// Starts, reuses and stops the embedded Redis server (no persistence).
enum EmbeddedRedisLauncher {
    /// Starts Redis for `stateDirectory`, or reuses the one its pidfile names if it answers PING on `rememberedPort`.
    static func start(
        stateDirectory: String,
        rememberedPort: Int?,
        avoiding: Set<Int>,
        progress: @Sendable (String) -> Void
    ) throws -> EmbeddedRedis {
        guard let serverPath = EmbeddedExecutables.find("redis-server"),
              let cliPath = EmbeddedExecutables.find("redis-cli")
        else {
            throw EmbeddedServersError("Redis not found (redis-server, redis-cli): install the redis-server package (scripts/install-deps.sh)")
        }
        let pidFile = (stateDirectory as NSString).appendingPathComponent("redis.pid")
        let logFile = (stateDirectory as NSString).appendingPathComponent("redis.log")
        let dataDirectory = (stateDirectory as NSString).appendingPathComponent("redis")
        let password = try passwordFile(in: stateDirectory)

        if let pid = EmbeddedProcessProbe.pid(inFile: pidFile) {
            if let rememberedPort, !avoiding.contains(rememberedPort),
               EmbeddedProcessProbe.isAlive(pid), ping(cliPath: cliPath, port: rememberedPort, password: password) {
                progress("reusing Redis already running on 127.0.0.1:\(rememberedPort)")
                return EmbeddedRedis(cliPath: cliPath, port: rememberedPort, pidFile: pidFile, logFile: logFile, startedHere: false,
                                     password: password)
            }
            if EmbeddedProcessProbe.isRunning(pid, named: "redis") {
                throw EmbeddedServersError(
                    "Redis (pid \(pid), from \(pidFile)) is running but does not answer on its remembered port: stop it (kill \(pid)) and try again, or see \(logFile)")
            }
            try? FileManager.default.removeItem(atPath: pidFile)  // stale
        }

        do {
            try FileManager.default.createDirectory(
                atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw EmbeddedServersError("cannot create \(dataDirectory): \(error.localizedDescription)")
        }
        guard let port = EmbeddedFreePort.reuseOrPick(rememberedPort, avoiding: avoiding) else {
            throw EmbeddedServersError("no free TCP port on 127.0.0.1 for Redis")
        }

        // The password goes in a 0600 configuration file, never in argv, where every local user can read it.
        let configFile = (stateDirectory as NSString).appendingPathComponent("redis.conf")
        try writeSecret("requirepass \(password)\n", to: configFile)

        progress("starting Redis on 127.0.0.1:\(port)…")
        let result = ChildProcessRunner.run(
            serverPath,
            [
                configFile, "--port", "\(port)", "--bind", "127.0.0.1", "--protected-mode", "yes", "--daemonize", "yes",
                "--pidfile", pidFile, "--logfile", logFile, "--dir", dataDirectory,
                "--save", "", "--appendonly", "no",
            ],
            directory: stateDirectory, timeout: 30)
        let server = EmbeddedRedis(cliPath: cliPath, port: port, pidFile: pidFile, logFile: logFile, startedHere: true,
                                   password: password)
        guard result.succeeded else {
            throw EmbeddedServersError("Redis failed to start on 127.0.0.1:\(port) (\(result.summary)): see \(logFile)")
        }

        // --daemonize returns before the server listens: wait for PONG.
        let deadline = Date().addingTimeInterval(20)
        while !ping(cliPath: cliPath, port: port, password: password) {
            let pid = EmbeddedProcessProbe.pid(inFile: pidFile)
            let died = pid.map { !EmbeddedProcessProbe.isAlive($0) } ?? false
            if died || Date() >= deadline {
                stop(server)
                throw EmbeddedServersError("Redis failed to start on 127.0.0.1:\(port): see \(logFile)")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return server
    }

    /// Stops the server if this process started it: SHUTDOWN NOSAVE through redis-cli, then SIGTERM/SIGKILL to the
    /// pidfile's pid if it is still there.
    static func stop(_ server: EmbeddedRedis) {
        guard server.startedHere else { return }
        let pid = EmbeddedProcessProbe.pid(inFile: server.pidFile)
        _ = ChildProcessRunner.run(
            server.cliPath, ["-h", "127.0.0.1", "-p", "\(server.port)", "shutdown", "nosave"],
            environment: ["REDISCLI_AUTH": server.password], timeout: 15)
        if let pid, !EmbeddedProcessProbe.waitForExit(pid, timeout: 10), EmbeddedProcessProbe.isRunning(pid, named: "redis") {
            EmbeddedProcessProbe.terminate(pid, grace: 5)
        }
        if let pid, !EmbeddedProcessProbe.isAlive(pid) {
            try? FileManager.default.removeItem(atPath: server.pidFile)
        }
    }

    /// Whether a Redis server answers PING on 127.0.0.1:`port` to a client that knows `password`
    /// (handed to redis-cli in its environment, not its argv).
    static func ping(cliPath: String, port: Int, password: String) -> Bool {
        let result = ChildProcessRunner.run(cliPath, ["-h", "127.0.0.1", "-p", "\(port)", "ping"],
                                            environment: ["REDISCLI_AUTH": password], timeout: 5)
        return result.succeeded && result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "PONG"
    }

    /// The embedded Redis password: `<state>/redis.password` (mode 0600), generated on first use.
    static func passwordFile(in stateDirectory: String) throws -> String {
        let path = (stateDirectory as NSString).appendingPathComponent("redis.password")
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
           !existing.isEmpty {
            chmod(path, 0o600)
            return existing
        }
        let password = randomHex(bytes: 24)
        try writeSecret(password + "\n", to: path)
        return password
    }

    /// Writes `text` to `path`, readable by this user only from the moment the file exists
    /// (`open(2)` with mode 0600, never following a link someone planted there).
    static func writeSecret(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw EmbeddedServersError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        fchmod(descriptor, 0o600)
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw EmbeddedServersError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
