import Foundation
import MarketCore

/// A PostgreSQL server on the data directory `<state>/postgres`, started or reused by ``EmbeddedPostgresLauncher``.
struct EmbeddedPostgres: Sendable {
    /// Directory of pg_ctl, psql and the other PostgreSQL programs.
    let binDirectory: String
    /// The data directory.
    let dataDirectory: String
    /// The server log.
    let logFile: String
    /// The port: the number in the Unix socket's name (the server listens on no TCP address).
    let port: Int
    /// The directory of the Unix socket: only the server's OS user (and root) may enter it.
    let socketDirectory: String
    /// User the server runs as through runuser (when the console runs as root); nil for the current user.
    let serverUser: String?
    /// Whether this process started the server (and so must stop it).
    let startedHere: Bool

    /// libpq connection string for `login` over the socket, authenticated by peer authentication
    /// (the OS user running the console maps to the superuser, its own login and the traffic's).
    func url(login: String) -> String {
        "host=\(socketDirectory) port=\(port) dbname=\(EmbeddedPostgresLauncher.database) user=\(login)"
    }
}

/// Initialises, starts, reuses and stops the embedded PostgreSQL server.
enum EmbeddedPostgresLauncher {
    /// Superuser created by initdb; reached only by peer authentication of the machine's owner.
    static let superuser = "market"
    /// The login the embedded market's own traffic runs as (member of `market_app`).
    static let trafficLogin = "market_service"
    /// The embedded market's reconciler (in `market_reconciler`).
    static let reconcilerLogin = "market_reconciler_service"
    /// Database the console uses.
    static let database = "market"
    /// Longest Unix socket path (sun_path is 108 bytes on Linux, 104 on macOS, including the NUL).
    static let maximumSocketPathLength = 103

    /// Starts PostgreSQL in `stateDirectory`, or reuses the one already running on its data directory.
    static func start(
        stateDirectory: String,
        rememberedPort: Int?,
        progress: @Sendable (String) -> Void
    ) throws -> EmbeddedPostgres {
        let fileManager = FileManager.default
        let dataDirectory = (stateDirectory as NSString).appendingPathComponent("postgres")
        let logFile = (stateDirectory as NSString).appendingPathComponent("postgres.log")
        let initdbLog = (stateDirectory as NSString).appendingPathComponent("initdb.log")
        let socketDirectory = socketDirectory(for: stateDirectory)
        let versionFile = (dataDirectory as NSString).appendingPathComponent("PG_VERSION")

        let existingMajor = (try? String(contentsOfFile: versionFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let binDirectory = EmbeddedExecutables.postgresBinDirectory(major: existingMajor) else {
            if let existingMajor, EmbeddedExecutables.postgresBinDirectory() != nil {
                throw EmbeddedServersError(
                    "\(dataDirectory) was made by PostgreSQL \(existingMajor), which is not installed: install postgresql-\(existingMajor) or remove that directory")
            }
            throw EmbeddedServersError("PostgreSQL binaries not found: install the postgresql package (scripts/install-deps.sh)")
        }
        func tool(_ name: String) -> String { (binDirectory as NSString).appendingPathComponent(name) }

        // Who runs the server: ourselves, or (as root) the data directory's owner, `postgres` or `marketconsole`.
        var account: EmbeddedServerAccount?
        if EmbeddedServerAccount.runningAsRoot {
            if existingMajor != nil, let owner = EmbeddedServerAccount.owner(of: dataDirectory), owner.uid != 0 {
                account = owner
            } else {
                account = try EmbeddedServerAccount.unprivileged(progress: progress)
            }
        }
        let serverUser = account?.name

        // Reuse a postmaster that is already running on this data directory.
        if let running = try runningServer(dataDirectory: dataDirectory, binDirectory: binDirectory, logFile: logFile) {
            progress("reusing PostgreSQL already running on \(running.socketDirectory) (port \(running.port))")
            let server = EmbeddedPostgres(
                binDirectory: binDirectory, dataDirectory: dataDirectory, logFile: logFile,
                port: running.port, socketDirectory: running.socketDirectory, serverUser: serverUser, startedHere: false)
            try writeAuthentication(dataDirectory: dataDirectory, account: account)
            _ = ChildProcessRunner.run(tool("pg_ctl"), ["reload", "-D", dataDirectory], as: serverUser, directory: stateDirectory,
                                       timeout: 30)
            try createDatabaseIfMissing(server, tool: tool, progress: progress)
            return server
        }

        // Directories and files the server user must own.
        if let account {
            try makeTraversable(stateDirectory)
            guard account.canTraverse(stateDirectory) else {
                throw EmbeddedServersError(
                    "user \(account.name), which runs PostgreSQL, cannot reach \(stateDirectory): make its parent directories traversable (chmod o+x) or set MARKET_CONSOLE_STATE_DIR to another directory")
            }
        }
        try createDirectory(socketDirectory, permissions: 0o700)
        chmod(socketDirectory, 0o700)  // an older state directory made it world-readable
        if !fileManager.fileExists(atPath: logFile) {
            _ = fileManager.createFile(atPath: logFile, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        chmod(logFile, 0o600)
        try account?.own(socketDirectory)
        try account?.own(logFile)
        try requirePrivate(socketDirectory, ownedBy: account?.uid ?? geteuid())

        // initdb once.
        if existingMajor == nil {
            if fileManager.fileExists(atPath: dataDirectory) {
                // Leftover of an initdb that did not finish: it holds nothing worth keeping.
                try? fileManager.removeItem(atPath: dataDirectory)
            }
            try createDirectory(dataDirectory, permissions: 0o700)
            try account?.own(dataDirectory)
            progress("initialising PostgreSQL data directory \(dataDirectory)…")
            let result = ChildProcessRunner.run(
                tool("initdb"),
                ["-D", dataDirectory, "-U", superuser, "--auth-local=peer", "--auth-host=reject", "-E", "UTF8", "--no-locale"],
                as: serverUser, directory: stateDirectory, timeout: 300)
            try? result.output.write(toFile: initdbLog, atomically: true, encoding: .utf8)
            guard result.succeeded else {
                try? fileManager.removeItem(atPath: dataDirectory)
                throw EmbeddedServersError("initdb failed (\(result.summary)): see \(initdbLog)")
            }
        } else if let account, EmbeddedServerAccount.owner(of: dataDirectory)?.uid != account.uid {
            try account.ownRecursively(dataDirectory)
        }

        // A stale postmaster.pid whose pid now belongs to another program would stop the server from starting.
        let pidFile = (dataDirectory as NSString).appendingPathComponent("postmaster.pid")
        if let pid = EmbeddedProcessProbe.pid(inFile: pidFile), !EmbeddedProcessProbe.isRunning(pid, named: "postgres") {
            try? fileManager.removeItem(atPath: pidFile)
        }

        try writeAuthentication(dataDirectory: dataDirectory, account: account)

        guard let port = EmbeddedFreePort.reuseOrPick(rememberedPort) else {
            throw EmbeddedServersError("no free port number for PostgreSQL's socket")
        }
        let options = [
            "-p", "\(port)", "-k", shellQuoted(socketDirectory), "-c", "listen_addresses=''", "-c", "max_connections=200",
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        ]

        progress("starting PostgreSQL on \(socketDirectory) (port \(port))…")
        let result = ChildProcessRunner.run(
            tool("pg_ctl"),
            ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "120", "-o", options.joined(separator: " ")],
            as: serverUser, directory: stateDirectory, timeout: 150)
        let server = EmbeddedPostgres(
            binDirectory: binDirectory, dataDirectory: dataDirectory, logFile: logFile,
            port: port, socketDirectory: socketDirectory, serverUser: serverUser, startedHere: true)
        guard result.succeeded else {
            if result.timedOut { stop(server) }
            let reason = lastLogError(logFile) ?? result.summary
            throw EmbeddedServersError("PostgreSQL failed to start on port \(port) (\(reason)): see \(logFile)")
        }
        do {
            try createDatabaseIfMissing(server, tool: tool, progress: progress)
        } catch {
            stop(server)
            throw error
        }
        return server
    }

    /// Stops the server cleanly (`pg_ctl stop -m fast`) if this process started it.
    static func stop(_ server: EmbeddedPostgres) {
        guard server.startedHere else { return }
        let pgCtl = (server.binDirectory as NSString).appendingPathComponent("pg_ctl")
        let pidFile = (server.dataDirectory as NSString).appendingPathComponent("postmaster.pid")
        let pid = EmbeddedProcessProbe.pid(inFile: pidFile)
        let result = ChildProcessRunner.run(
            pgCtl, ["stop", "-D", server.dataDirectory, "-m", "fast", "-w", "-t", "60"],
            as: server.serverUser, directory: (server.dataDirectory as NSString).deletingLastPathComponent, timeout: 90)
        if !result.succeeded, let pid, EmbeddedProcessProbe.isRunning(pid, named: "postgres") {
            EmbeddedProcessProbe.terminate(pid)  // SIGTERM is PostgreSQL's "smart" shutdown; SIGKILL as a last resort
        }
    }

    /// The port and socket directory of a live postmaster on `dataDirectory` that accepts
    /// connections; nil when none runs. Throws when one runs but does not answer on its socket.
    private static func runningServer(dataDirectory: String, binDirectory: String, logFile: String) throws
        -> (port: Int, socketDirectory: String)? {
        let pidFile = (dataDirectory as NSString).appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = EmbeddedProcessProbe.pid(inFile: pidFile),
              EmbeddedProcessProbe.isRunning(pid, named: "postgres")
        else { return nil }
        // postmaster.pid: pid, data directory, start time, port, socket directory, listen address, shared memory key, status.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 4, let port = Int(lines[3].trimmingCharacters(in: .whitespaces)),
              case let socketDirectory = lines[4].trimmingCharacters(in: .whitespaces), socketDirectory.hasPrefix("/") else {
            throw EmbeddedServersError(
                "PostgreSQL (pid \(pid)) is running on \(dataDirectory) but its port is unknown: stop it (pg_ctl -D \(dataDirectory) stop) or see \(logFile)")
        }
        let isReady = (binDirectory as NSString).appendingPathComponent("pg_isready")
        let deadline = Date().addingTimeInterval(30)
        repeat {
            let ready = ChildProcessRunner.run(isReady, ["-q", "-h", socketDirectory, "-p", "\(port)", "-t", "5"], timeout: 15)
            if ready.succeeded { return (port, socketDirectory) }
            if !EmbeddedProcessProbe.isAlive(pid) { return nil }  // it was shutting down
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        throw EmbeddedServersError(
            "PostgreSQL (pid \(pid)) is running on \(dataDirectory) but does not answer on \(socketDirectory): see \(logFile)")
    }

    /// Creates the `market` database unless it exists.
    private static func createDatabaseIfMissing(
        _ server: EmbeddedPostgres, tool: (String) -> String, progress: @Sendable (String) -> Void
    ) throws {
        let connection = ["-h", server.socketDirectory, "-p", "\(server.port)", "-U", superuser]
        let environment = ["PGCONNECT_TIMEOUT": "10"]
        let query = ChildProcessRunner.run(
            tool("psql"),
            ["-X", "-q", "-t", "-A"] + connection
                + ["-d", "postgres", "-c", "SELECT 1 FROM pg_database WHERE datname = '\(database)'"],
            environment: environment, timeout: 30)
        guard query.succeeded else {
            throw EmbeddedServersError(
                "cannot connect to PostgreSQL on \(server.socketDirectory) as \(superuser) (\(query.summary)): see \(server.logFile)")
        }
        if query.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1" { return }
        progress("creating database \(database)…")
        let create = ChildProcessRunner.run(
            tool("createdb"), connection + [database], environment: environment, timeout: 60)
        guard create.succeeded else {
            throw EmbeddedServersError("cannot create database \(database) (\(create.summary)): see \(server.logFile)")
        }
    }

    /// Where the socket lives: `<state>/run`, or a directory of its own under /tmp when that path
    /// would be too long for a Unix socket.
    static func socketDirectory(for stateDirectory: String) -> String {
        let preferred = (stateDirectory as NSString).appendingPathComponent("run")
        if preferred.utf8.count + "/.s.PGSQL.65535".utf8.count <= maximumSocketPathLength { return preferred }
        let digest = stateDirectory.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return "/tmp/market-console-\(geteuid())-\(String(digest, radix: 16))"
    }

    /// Refuses a socket directory someone else could have made or can enter (a name under /tmp
    /// is predictable): it must be a real directory of `owner`'s, mode 0700.
    private static func requirePrivate(_ directory: String, ownedBy owner: uid_t) throws {
        var status = stat()
        guard lstat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == owner,
              status.st_mode & 0o777 == 0o700 else {
            throw EmbeddedServersError("\(directory) is not a private directory of the server's user (mode 0700): remove it and start again")
        }
    }

    /// `pg_hba.conf` and `pg_ident.conf`, written on every start: no `trust`, no TCP; the OS user
    /// running the console reaches the server by peer authentication on the socket, as the
    /// superuser (set-up), as its own login (the operator), as the traffic's login or as the reconciler's.
    private static func writeAuthentication(dataDirectory: String, account: EmbeddedServerAccount?) throws {
        let owner = EmbeddedServerAccount.currentUserName
        let files = [
            ("pg_hba.conf", """
                # Written by market-console on every start. No trust, no TCP: the machine's owner (\(owner)) reaches
                # the server by peer authentication on the socket directory, which only the server's user may enter.
                local all all peer map=market

                """),
            ("pg_ident.conf", """
                # Written by market-console: the OS user \(owner) may connect as these logins.
                market \(owner) \(superuser)
                market \(owner) \(owner)
                market \(owner) \(trafficLogin)
                market \(owner) \(reconcilerLogin)

                """),
        ]
        for (name, text) in files {
            let path = (dataDirectory as NSString).appendingPathComponent(name)
            do {
                try text.write(toFile: path, atomically: false, encoding: .utf8)
            } catch {
                throw EmbeddedServersError("cannot write \(path): \(error.localizedDescription)")
            }
            chmod(path, 0o600)
            try account?.own(path)
        }
    }

    /// The last FATAL/PANIC/ERROR line of the server log, for a one-line error message.
    private static func lastLogError(_ logFile: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: logFile) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 16_384 ? size - 16_384 : 0)
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .last { $0.contains("FATAL:") || $0.contains("PANIC:") || $0.contains("ERROR:") }
            .map { line in
                let text = String(line)
                if let range = text.range(of: "FATAL:") ?? text.range(of: "PANIC:") ?? text.range(of: "ERROR:") {
                    return String(text[range.lowerBound...]).replacingOccurrences(of: "  ", with: " ")
                }
                return text
            }
    }

    /// Creates `path` (and its parents) if missing, with `permissions` on the last component.
    private static func createDirectory(_ path: String, permissions: Int) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: permissions])
        } catch {
            throw EmbeddedServersError("cannot create \(path): \(error.localizedDescription)")
        }
    }

    /// Lets other users through `path` (adds o+x and g+x), so the server user can reach its files.
    private static func makeTraversable(_ path: String) throws {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else { return }
        if mode & 0o011 != 0o011 {
            try? FileManager.default.setAttributes([.posixPermissions: mode | 0o011], ofItemAtPath: path)
        }
    }

    /// `text` quoted for /bin/sh (pg_ctl hands its -o options to a shell).
    private static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
