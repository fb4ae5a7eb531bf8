import Foundation
import MarketCore

/// What one helper process run by ``ChildProcessRunner`` did.
public struct ChildProcessResult: Sendable {
    /// Exit status; -1 when the process could not be launched or was killed after its timeout.
    public var status: Int32
    /// Standard output and standard error, interleaved as written.
    public var output: String
    /// Whether the process was killed because it ran past its timeout.
    public var timedOut: Bool

    /// Whether the process ran to completion and exited with status 0.
    public var succeeded: Bool { status == 0 && !timedOut }

    /// The last non-empty line of output (for one-line error messages), or a note on the timeout.
    public var summary: String {
        if timedOut { return "timed out" }
        let lines = output.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return lines.last ?? "exit status \(status)"
    }
}

/// Runs a helper program (initdb, pg_ctl, psql, redis-server, pgbench…) synchronously, capturing its output, with a timeout.
///
/// This uses posix_spawn rather than Foundation's `Process`: on Linux, `Process` learns that a child ended through a
/// socket the child inherits, and the daemons that pg_ctl and redis-server leave behind inherit it too, so `Process`
/// would wait for them to exit. Here the child gets /dev/null as standard input, a temporary file as standard output
/// and error, and no other file descriptor, so a daemon it leaves behind holds nothing of ours.
public enum ChildProcessRunner {
    /// Runs `executable` (an absolute path) with `arguments`.
    ///
    /// - Parameters:
    ///   - user: when set, the program runs as this user through `runuser -u USER --` (only possible as root).
    ///   - environment: variables added to (or replacing those of) this process's environment.
    ///   - directory: working directory of the program.
    ///   - timeout: seconds after which the program is sent SIGTERM, and SIGKILL five seconds later.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        as user: String? = nil,
        environment: [String: String] = [:],
        directory: String? = nil,
        timeout: TimeInterval = 60
    ) -> ChildProcessResult {
        var launchPath = executable
        var launchArguments = arguments
        if let user {
            guard let runuser = EmbeddedExecutables.find("runuser", preferring: ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) else {
                return ChildProcessResult(
                    status: -1, output: "runuser not found: install util-linux to run servers as \(user)", timedOut: false)
            }
            launchPath = runuser
            launchArguments = ["-u", user, "--", executable] + arguments
        }

        let outputPath = (NSTemporaryDirectory() as NSString)
            .appendingPathComponent("market-console-\(UUID().uuidString).out")
        var outputDescriptor = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if outputDescriptor >= 0 && outputDescriptor < 3 {
            // Our own standard streams are closed: keep the file clear of the numbers the child's streams take.
            let moved = fcntl(outputDescriptor, F_DUPFD_CLOEXEC, 3)
            close(outputDescriptor)
            outputDescriptor = moved
        }
        guard outputDescriptor >= 0 else {
            return ChildProcessResult(
                status: -1, output: "cannot create a temporary file in \(NSTemporaryDirectory())", timedOut: false)
        }
        defer {
            close(outputDescriptor)
            unlink(outputPath)
        }

        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pid: pid_t
        switch spawn(
            launchPath, arguments: [launchPath] + launchArguments,
            environment: variables.map { "\($0.key)=\($0.value)" },
            directory: directory, output: outputDescriptor)
        {
        case .success(let spawned): pid = spawned
        case .failure(let error): return ChildProcessResult(status: -1, output: error.message, timedOut: false)
        }

        let (status, timedOut) = wait(for: pid, timeout: timeout)
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return ChildProcessResult(status: status, output: String(decoding: data, as: UTF8.self), timedOut: timedOut)
    }

    /// Starts `executable` (an absolute path) in the background, with `/dev/null` as its standard
    /// input, its output and errors going to the file `output` (created or truncated; `/dev/null`
    /// when nil), and no other descriptor of ours; end it with ``stop(_:signal:)``.
    ///
    /// For children that outlive a call (a test's own redis-server, a simulator beside a console
    /// under test). Foundation's `Process.run` is not an option there either: on Linux it crashes
    /// now and then while listing this process's descriptors (swift-corelibs-foundation#5472).
    static func launch(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                       output: String? = nil) throws -> pid_t {
        let devNull = open(output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard devNull >= 0 else { throw SpawnError(message: "cannot open \(output ?? "/dev/null")") }
        defer { close(devNull) }
        let variables = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        return try spawn(executable, arguments: [executable] + arguments, environment: variables.map { "\($0.key)=\($0.value)" },
                         directory: nil, output: devNull).get()
    }

    /// Sends `signal` to a child started by ``launch(_:_:environment:)`` and reaps it; a child
    /// still running 5 s later gets SIGTERM, and SIGKILL 5 s after that. Returns its exit status
    /// as ``run`` reports it (-1 when it had to be ended).
    @discardableResult
    static func stop(_ pid: pid_t, signal: Int32 = SIGTERM) -> Int32 {
        _ = kill(pid, signal)
        return wait(for: pid, timeout: 5).status
    }

    /// Why a program could not be started.
    struct SpawnError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Starts `path` with `/dev/null` as standard input, `output` as standard output and error, and no other descriptor.
    private static func spawn(
        _ path: String, arguments: [String], environment: [String], directory: String?, output: Int32
    ) -> Result<pid_t, SpawnError> {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t? = nil
        var attributes: posix_spawnattr_t? = nil
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        if let directory {
            #if canImport(Darwin)
            posix_spawn_file_actions_addchdir_np(&actions, directory)
            #else
            if let addChdir = glibcFileAction("posix_spawn_file_actions_addchdir_np", as: AddChdir.self) {
                _ = addChdir(&actions, directory)
            }
            #endif
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        #if canImport(Darwin)
        let closeOthers = Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
        if let addCloseFrom = glibcFileAction("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self) {
            _ = addCloseFrom(&actions, 3)
        } else {
            markDescriptorsCloseOnExec()  // glibc before 2.34
        }
        let closeOthers: Int32 = 0
        #endif

        // Default signal handling and no blocked signals in the child, whatever this process set up for itself.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigfillset(&defaultSignals)
        sigdelset(&defaultSignals, SIGKILL)
        sigdelset(&defaultSignals, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(
            &attributes, Int16(Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF) | closeOthers))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let error = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard error == 0 else {
            return .failure(SpawnError(message: "cannot run \(path): \(String(cString: strerror(error)))"))
        }
        return .success(pid)
    }

    #if !canImport(Darwin)
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29+), which Swift's Glibc module does not declare.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+), which Swift's Glibc module does not declare.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// Looks up a GNU extension of posix_spawn in the C library already loaded into this process.
    private static func glibcFileAction<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let handle = dlopen(nil, RTLD_LAZY) else { return nil }
        defer { dlclose(handle) }
        guard let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }

    /// Sets close-on-exec on every open descriptor above 2 (the fallback when addclosefrom_np is missing).
    private static func markDescriptorsCloseOnExec() {
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
    #endif

    /// Waits for `pid` to exit, ending it after `timeout` seconds (SIGTERM, then SIGKILL five seconds later).
    /// Returns its exit status (128 + signal number when a signal ended it; -1 when it timed out) and whether it timed out.
    private static func wait(for pid: pid_t, timeout: TimeInterval) -> (status: Int32, timedOut: Bool) {
        var deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        var killed = false
        var pause = 0.002
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result == -1 && errno != EINTR {
                return (-1, timedOut)  // reaped by someone else: the status is lost
            }
            if Date() >= deadline {
                if !timedOut {
                    timedOut = true
                    _ = kill(pid, SIGTERM)
                    deadline = Date().addingTimeInterval(5)
                } else if !killed {
                    killed = true
                    _ = kill(pid, SIGKILL)
                    deadline = Date().addingTimeInterval(5)
                } else {
                    return (-1, true)
                }
            }
            Thread.sleep(forTimeInterval: pause)
            pause = min(pause * 2, 0.05)
        }
        if timedOut { return (-1, true) }
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, false)
    }
}
