import Foundation
import MarketCore

/// The unprivileged user PostgreSQL runs as when the console runs as root (PostgreSQL refuses to run as root).
struct EmbeddedServerAccount: Sendable, Equatable {
    /// Login name.
    let name: String
    /// User id.
    let uid: uid_t
    /// Primary group id.
    let gid: gid_t

    /// The system user created when there is no `postgres` user.
    static let fallbackName = "marketconsole"

    /// Whether this process runs as root.
    static var runningAsRoot: Bool { geteuid() == 0 }

    /// The OS user this process runs as: the machine's owner, whose login the embedded market's operator is.
    static var currentUserName: String { withID(geteuid())?.name ?? ProcessInfo.processInfo.userName }

    /// The account named `name`, if it exists.
    static func named(_ name: String) -> EmbeddedServerAccount? {
        guard let entry = getpwnam(name) else { return nil }
        return EmbeddedServerAccount(name: String(cString: entry.pointee.pw_name), uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// The account with user id `uid`, if it exists.
    static func withID(_ uid: uid_t) -> EmbeddedServerAccount? {
        guard let entry = getpwuid(uid) else { return nil }
        return EmbeddedServerAccount(name: String(cString: entry.pointee.pw_name), uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// The user that owns `path`, if the path exists and its owner has an account.
    static func owner(of path: String) -> EmbeddedServerAccount? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let uid = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value
        else { return nil }
        return withID(uid_t(uid))
    }

    /// `postgres` if that user exists, else `marketconsole`, created as a system user if needed (root only).
    static func unprivileged(progress: @Sendable (String) -> Void) throws -> EmbeddedServerAccount {
        if let postgres = named("postgres"), postgres.uid != 0 { return postgres }
        if let existing = named(fallbackName) { return existing }
        guard let useradd = EmbeddedExecutables.find("useradd", preferring: ["/usr/sbin", "/sbin"]) else {
            throw EmbeddedServersError(
                "PostgreSQL cannot run as root and there is no postgres user; useradd not found to create \(fallbackName): install the postgresql package (scripts/install-deps.sh)")
        }
        progress("creating system user \(fallbackName) to run PostgreSQL…")
        let result = ChildProcessRunner.run(
            useradd, ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", fallbackName], timeout: 30)
        guard let created = named(fallbackName) else {
            throw EmbeddedServersError("cannot create system user \(fallbackName) to run PostgreSQL: \(result.summary)")
        }
        return created
    }

    /// Makes this account the owner of `path` (not recursively).
    func own(_ path: String) throws {
        guard chown(path, uid, gid) == 0 else {
            throw EmbeddedServersError("cannot give \(path) to user \(name): \(String(cString: strerror(errno)))")
        }
    }

    /// Makes this account the owner of `path` and everything under it.
    func ownRecursively(_ path: String) throws {
        guard let chownTool = EmbeddedExecutables.find("chown") else { return try own(path) }
        let result = ChildProcessRunner.run(chownTool, ["-R", "\(uid):\(gid)", path], timeout: 120)
        guard result.succeeded else {
            throw EmbeddedServersError("cannot give \(path) to user \(name): \(result.summary)")
        }
    }

    /// Whether this account can reach (traverse) `path`, i.e. every directory above it lets it through.
    func canTraverse(_ path: String) -> Bool {
        guard let test = EmbeddedExecutables.find("test") else { return true }
        return ChildProcessRunner.run(test, ["-x", path], as: name, directory: "/", timeout: 15).succeeded
    }
}
