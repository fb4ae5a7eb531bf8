import Foundation
import Synchronization
@testable import MarketCore

/// An operator as the core sees one: a PostgreSQL login of its own (unique to the test, since
/// logins and their groups are cluster-wide) with its own connections to the test's market.
struct OperatorSession: Sendable {
    /// The login PostgreSQL authenticates; the audit and every refusal name it.
    let login: String
    /// The market over this login's own connections.
    let market: Market
    /// Why it acts, for the audit row.
    let request: OperatorRequest
}

/// The logins a test made, so they are closed and dropped when it ends.
final class OperatorSessions: Sendable {
    private let sessions = Mutex<[(OperatorSession, MarketServices)]>([])
    private let logins = Mutex<[String]>([])

    /// A login the test creates through the market rather than ``MarketFixture/operatorNamed(_:role:reason:)``.
    func track(_ login: String) {
        logins.withLock { $0.append(login) }
    }

    func add(_ session: OperatorSession, _ services: MarketServices) {
        sessions.withLock { $0.append((session, services)) }
    }

    /// Closes every session's connections and drops its login (as the fixture's superuser).
    func closeAll(dropWith pool: PostgresPool) async {
        let all = sessions.withLock { sessions in defer { sessions = [] }; return sessions }
        for (_, services) in all { await services.shutdown() }
        let created = logins.withLock { logins in defer { logins = [] }; return logins }
        for login in Set(all.map(\.0.login) + created) {
            _ = try? await pool.query(PostgresQuery(unsafeSQL: "DROP ROLE IF EXISTS \(Migrator.quoteIdentifier(login))"))
        }
    }
}

extension MarketFixture {
    /// A login of its own for `name` (`name_<test schema>`) granted `role` (none: a login in no
    /// group, a viewer), connected to this test's market as that login.
    func operatorNamed(_ name: String, role: OperatorRole?, reason: String? = nil) async throws -> OperatorSession {
        let login = loginName(name)
        // Set up as the test servers' superuser, with plain SQL: the tests' audit holds only what they do.
        let quoted = Migrator.quoteIdentifier(login)
        _ = try await services.pool.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(quoted) LOGIN"))
        if let role {
            _ = try await services.pool.query(PostgresQuery(unsafeSQL: "GRANT \(role.groupRole) TO \(quoted)"))
        }
        return try await connect(as: login, reason: reason ?? "test by \(name)")
    }

    /// `name` made unique to this test (`name_<schema>`), dropped when the test ends.
    func loginName(_ name: String) -> String {
        let login = "\(name)_\(services.configuration.database.schema ?? "t")"
        sessions.track(login)
        return login
    }

    /// A session over a new connection as `login`, which must exist.
    func connect(as login: String, reason: String) async throws -> OperatorSession {
        var configuration = services.configuration
        configuration.database = try PostgresConfiguration(url: TestServers.url(configuration.database.url, user: login))
        configuration.database.schema = services.configuration.database.schema
        configuration.database.maxConnections = 4
        let connected = try await MarketServices.connect(configuration, migrate: false)
        let session = OperatorSession(login: login, market: Market(services: connected, gateways: market.gateways), request:
            OperatorRequest(reason: reason))
        sessions.add(session, connected)
        return session
    }
}

extension TestServers {
    /// `url` with its user replaced by `user` (the test servers trust every local login).
    static func url(_ url: String, user: String) throws -> String {
        guard var components = URLComponents(string: url) else { throw MarketError(.invalidArgument, "test: bad URL \(url)") }
        components.user = user
        guard let replaced = components.string else { throw MarketError(.invalidArgument, "test: bad URL \(url)") }
        return replaced
    }
}

/// The operator actions as the tests take them: each on the session's own connections, so
/// PostgreSQL authenticates the session's login.
extension Market {
    func cancelAuction(_ auction: Int64, expectedVersion: Int64? = nil, by session: OperatorSession) async throws {
        try await session.market.cancelAuction(auction, expectedVersion: expectedVersion, by: session.request)
    }

    func rejectProposal(_ proposal: Int64, expectedVersion: Int64? = nil, by session: OperatorSession) async throws {
        try await session.market.rejectProposal(proposal, expectedVersion: expectedVersion, by: session.request)
    }

    func forceCompleteTransfer(_ transfer: Int64, expectedVersion: Int64? = nil, by session: OperatorSession) async throws {
        try await session.market.forceCompleteTransfer(transfer, expectedVersion: expectedVersion, by: session.request)
    }

    func cancelTransfer(_ transfer: Int64, expectedVersion: Int64? = nil, by session: OperatorSession) async throws {
        try await session.market.cancelTransfer(transfer, expectedVersion: expectedVersion, by: session.request)
    }

    func retryTransfer(_ transfer: Int64, expectedVersion: Int64? = nil, by session: OperatorSession) async throws -> ChannelPurchase {
        try await session.market.retryTransfer(transfer, expectedVersion: expectedVersion, by: session.request)
    }

    func resolveWithdrawal(_ withdrawal: Int64, sentWithHash txHash: String?, expectedVersion: Int64? = nil,
                           by session: OperatorSession) async throws -> WithdrawalResult {
        try await session.market.resolveWithdrawal(withdrawal, sentWithHash: txHash, expectedVersion: expectedVersion, by: session.request)
    }

    func releaseLock(key: String, expectedFence: Int64? = nil, by session: OperatorSession) async throws -> ReleasedLock {
        try await session.market.releaseLock(key: key, expectedFence: expectedFence, by: session.request)
    }

    func requestApproval(_ action: OperatorAction, target: Int64, expectedVersion: Int64?, by session: OperatorSession) async throws -> Int64 {
        try await session.market.requestApproval(action, target: target, expectedVersion: expectedVersion, by: session.request)
    }

    func approve(_ approval: Int64, by session: OperatorSession) async throws -> PendingApproval {
        try await session.market.approve(approval, by: session.request)
    }

    func rejectApproval(_ approval: Int64, by session: OperatorSession) async throws {
        try await session.market.rejectApproval(approval, by: session.request)
    }

    func addOperator(_ login: String, role: OperatorRole, by session: OperatorSession) async throws {
        try await session.market.addOperator(login, role: role, by: session.request)
    }

    func removeOperator(_ login: String, by session: OperatorSession) async throws {
        try await session.market.removeOperator(login, by: session.request)
    }
}
