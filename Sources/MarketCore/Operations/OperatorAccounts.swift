import Foundation

/// An operator: a PostgreSQL login granted one of the market's group roles.
public struct OperatorAccount: Sendable, Equatable, Identifiable {
    public var id: String { login }
    public let login: String
    public let role: OperatorRole
    /// Whether the role may log in (a NOLOGIN role in a group acts for no one until it can).
    public let canLogIn: Bool
    /// A superuser, which bypasses every privilege and cannot approve.
    public let isSuperuser: Bool
}

extension Market {
    /// Who this market's connections act as: the login PostgreSQL authenticated (`session_user`,
    /// which `SET ROLE` does not change) and the role its groups give it.
    public func identity() async throws -> OperatorLogin {
        let row = try await services.pool.query("""
            SELECT session_user::text, mc_operator_role(session_user), mc_is_superuser(session_user)
            """).rows[0]
        return OperatorLogin(login: try row.decode(at: 0), role: OperatorRole(rawValue: try row.decode(at: 1)) ?? .viewer,
                                isSuperuser: try row.decode(at: 2))
    }

    /// Grants `login` the group role of `role`, creating the login (without a password: how it
    /// authenticates is the server's `pg_hba.conf`) if it does not exist; audited by the database.
    /// Giving a login the role it already has changes nothing and writes no audit row.
    ///
    /// Admins manage operators; so do the schema's owner (the login that ran `migrate`, which adds
    /// the first admins and owns every table anyway) and a superuser (which can grant roles anyway).
    ///
    /// ```swift
    /// try await market.addOperator("ada", role: .admin, by: OperatorRequest(reason: "first admin"))
    /// ```
    /// - Throws: ``MarketError`` — `.forbidden` for any other login, `.invalidArgument` for a bad
    ///   login name or role, `.invalidState` when this would take the role from the last admin.
    public func addOperator(_ login: String, role: OperatorRole, by request: OperatorRequest) async throws {
        try await locked(OperationLockKeys.operators, "operators.manage") { uow in
            try await uow.operatorCall("SELECT mc_op_add_operator(\(login), \(role.rawValue), \(request.reason))",
                                       action: .manageOperators, target: "operator:\(login)", reason: request.reason)
        }
    }

    /// Revokes every market group from `login` (which stays a login, acting as a viewer).
    ///
    /// - Throws: ``MarketError`` — `.notFound` for a login in no group, `.forbidden` unless an
    ///   admin (or a superuser) asks, `.invalidState` for the last admin.
    public func removeOperator(_ login: String, by request: OperatorRequest) async throws {
        try await locked(OperationLockKeys.operators, "operators.manage") { uow in
            try await uow.operatorCall("SELECT mc_op_remove_operator(\(login), \(request.reason))",
                                       action: .manageOperators, target: "operator:\(login)", reason: request.reason)
        }
    }

    /// Every login granted a market group, by login.
    public func operators() async throws -> [OperatorAccount] {
        try await services.pool.query("""
            SELECT r.rolname::text, mc_operator_group(r.rolname), r.rolcanlogin, r.rolsuper FROM pg_roles r
            WHERE mc_operator_group(r.rolname) IS NOT NULL ORDER BY r.rolname
            """).rows.map { row in
            OperatorAccount(login: try row.decode(at: 0), role: OperatorRole(rawValue: try row.decode(at: 1)) ?? .viewer,
                            canLogIn: try row.decode(at: 2), isSuperuser: try row.decode(at: 3))
        }
    }

    /// The role `login` acts with; a login in no group is a viewer.
    public func operatorRole(_ login: String) async throws -> OperatorRole {
        let row = try await services.pool.query("SELECT mc_operator_role(\(login))").rows[0]
        return OperatorRole(rawValue: try row.decode(at: 0)) ?? .viewer
    }
}
