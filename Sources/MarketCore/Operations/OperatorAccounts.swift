import Foundation

/// An operator's account: the name the console acts under and the role that decides what it may do.
public struct OperatorAccount: Sendable, Equatable, Identifiable {
    public var id: String { name }
    public let name: String
    public let role: OperatorRole
    /// When the account was added.
    public let createdAt: Date
}

extension Market {
    /// Adds an operator, or gives an existing one another role; audited in the same transaction.
    /// Giving an operator the role they already have changes nothing and writes no audit row.
    ///
    /// ```swift
    /// try await market.addOperator("ada", role: .admin, by: nil)          // first admin, local setup
    /// try await market.addOperator("mia", role: .moderator, by: adaRequest)
    /// ```
    /// - Parameters:
    ///   - name: 1 to 64 characters, no spaces.
    ///   - request: the operator who asks, who must be an admin; or `nil` for trusted local setup —
    ///     the owner of the market on this machine (the embedded default's), creating the first
    ///     admin, say. Pass `nil` only from code that runs for that owner, never for a request that
    ///     came from someone else; it is audited as "local setup".
    /// - Throws: ``MarketError`` — `.forbidden` unless `request` is an admin's, `.invalidArgument`
    ///   for a bad name or an empty reason, `.invalidState` when this would take the role from the last admin.
    public func addOperator(_ name: String, role: OperatorRole, by request: OperatorRequest?) async throws {
        try Self.requireOperatorName(name)
        try await managingOperators(name, by: request) { uow in
            let previous = try await uow.lockOperator(name)
            guard previous != role else { return nil }
            if previous == .admin { try await uow.requireAnotherAdmin(besides: name) }
            try await uow.execute("""
                INSERT INTO operators (name, role) VALUES (\(name), \(role.rawValue))
                ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role
                """)
            return previous.map { "role \($0.rawValue) → \(role.rawValue)" } ?? "added as \(role.rawValue)"
        }
    }

    /// Removes an operator; audited in the same transaction. From then on the name acts as a viewer.
    ///
    /// - Parameter request: as for ``addOperator(_:role:by:)``: an admin's request, or `nil` for
    ///   trusted local setup only.
    /// - Throws: ``MarketError`` — `.notFound` for an unknown name, `.forbidden` unless `request` is
    ///   an admin's, `.invalidState` for the last admin.
    public func removeOperator(_ name: String, by request: OperatorRequest?) async throws {
        try await managingOperators(name, by: request) { uow in
            guard let previous = try await uow.lockOperator(name) else { throw MarketError(.notFound, "no operator \(name)") }
            if previous == .admin { try await uow.requireAnotherAdmin(besides: name) }
            try await uow.execute("DELETE FROM operators WHERE name = \(name)")
            return "removed (was \(previous.rawValue))"
        }
    }

    /// Every operator account, by name.
    public func operators() async throws -> [OperatorAccount] {
        try await services.pool.query("SELECT name, role, created_at FROM operators ORDER BY name").rows.map { row in
            OperatorAccount(name: try row.decode(at: 0), role: OperatorRole(rawValue: try row.decode(at: 1)) ?? .viewer,
                            createdAt: try row.decode(at: 2))
        }
    }

    /// The role `name` acts with; a name that is no operator's is a viewer.
    public func operatorRole(_ name: String) async throws -> OperatorRole {
        try await database.withUnitOfWork(named: "operators.role") { uow in try await uow.role(of: name) }
    }

    /// Runs one change to the operators under their lock: authorized (unless local setup) and
    /// audited in the same transaction. `change` returns the audit detail, or nil when nothing changed.
    private func managingOperators(_ name: String, by request: OperatorRequest?,
                                   _ change: @escaping @Sendable (UnitOfWork) async throws -> String?) async throws {
        try await locked("operators", "operators.manage") { uow in
            let role = if let request { try await uow.authorize(request, for: .manageOperators, target: "operator:\(name)") } else { OperatorRole?.none }
            guard let detail = try await change(uow) else { return }
            if let request, let role {
                try await uow.audit(request, role: role, action: .manageOperators, target: "operator:\(name)", detail: detail)
            } else {
                try await uow.auditLocalSetup(action: .manageOperators, target: "operator:\(name)", detail: detail)
            }
        }
    }

    /// Names are what operators type and what audit rows show: no spaces (so none can pass for
    /// "local setup"), no control characters.
    private static func requireOperatorName(_ name: String) throws {
        let unfit = name.unicodeScalars.contains { $0.properties.isWhitespace || $0.properties.generalCategory == .control }
        guard (1...64).contains(name.count), !unfit else {
            throw MarketError(.invalidArgument, "an operator name needs 1 to 64 characters and no spaces")
        }
    }
}

extension UnitOfWork {
    /// Locks an operator's row; their role, or nil when there is no such operator.
    func lockOperator(_ name: String) async throws -> OperatorRole? {
        let row = try await query("SELECT role FROM operators WHERE name = \(name) FOR UPDATE OF operators").first
        return try row.flatMap { OperatorRole(rawValue: try $0.decode(String.self, at: 0)) }
    }

    /// Refuses unless an admin other than `name` remains (the admins' rows stay locked to the end).
    func requireAnotherAdmin(besides name: String) async throws {
        let admins = try await query("SELECT name FROM operators WHERE role = 'admin' ORDER BY name FOR UPDATE OF operators")
            .rows.map { try $0.decode(String.self, at: 0) }
        guard admins.contains(where: { $0 != name }) else {
            throw MarketError(.invalidState, "operator \(name) is the last admin: add another admin first")
        }
    }
}
