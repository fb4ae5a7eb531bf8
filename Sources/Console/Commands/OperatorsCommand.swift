import ArgumentParser
import Foundation
import MarketCore

extension OperatorRole: ExpressibleByArgument {}

/// `market-console operators add|list|remove`: who may do what. An operator is a PostgreSQL login
/// granted a group role; changes need an admin login, the schema's owner or a superuser.
struct OperatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operators", abstract: "Add, list or remove console operators and their roles.",
        discussion: """
            An operator is a PostgreSQL login; its role is the group it is granted (market_viewer, market_oncall, \
            market_moderator, market_admin). Roles: viewer (looks), oncall (releases locks), moderator (cancels auctions, \
            rejects proposals), admin (everything). Admins change operators, and so does the login that ran `migrate` \
            (it adds the first admins) or a superuser. No password is set or shown: how a login authenticates is the server's pg_hba.conf.
            """,
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant a login a role, creating the login if needed (admin only).")
        @OptionGroup var options: OperatorAdminOptions
        @Argument(help: "The operator's PostgreSQL login.") var name: String
        @Option(help: "viewer, oncall, moderator or admin.") var role: OperatorRole

        func run() async throws {
            try await options.change("add \(name) as \(role.rawValue)") { market, request in
                try await market.addOperator(name, role: role, by: request)
                return "\(name) is now \(role.rawValue)"
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a login's role: it acts as a viewer (admin only).")
        @OptionGroup var options: OperatorAdminOptions
        @Argument(help: "The operator's PostgreSQL login.") var name: String

        func run() async throws {
            try await options.change("remove \(name)") { market, request in
                try await market.removeOperator(name, by: request)
                return "\(name) removed; they are a viewer now"
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List operators and their roles.")
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            try await withConnectedServices(connection, progress: { _ in }) { services, _ in
                let market = try OperatorMarket.make(services)
                let operators = try await market.operators()
                guard !operators.isEmpty else {
                    print("no operators yet: every login is a viewer (the schema's owner adds the first admin: "
                          + "market-console operators add LOGIN --role admin)")
                    return
                }
                let width = max(operators.map(\.login.count).max() ?? 5, 5)
                print("login".padding(toLength: width, withPad: " ", startingAt: 0) + "  role       can log in")
                for account in operators {
                    print(account.login.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                          + account.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + "  "
                          + (account.canLogIn ? "yes" : "no") + (account.isSuperuser ? " (superuser)" : ""))
                }
            }
        }
    }
}

/// What changing operators takes: the servers (whose login is who asks), and why.
struct OperatorAdminOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("operator"), help: "Refuse (exit 2) unless PostgreSQL authenticated this login.")
    var operatorName: String?

    @Option(help: "Why (kept in the audit log).")
    var reason: String?

    /// Runs `change` as this login and prints what it did.
    func change(_ what: String, _ change: @escaping (Market, OperatorRequest) async throws -> String) async throws {
        try await withConnectedServices(connection, progress: { _ in }) { services, _ in
            let market = try OperatorMarket.make(services)
            try OperatorMarket.requireLogin(operatorName, is: try await market.identity())
            let request = OperatorRequest(reason: reason ?? "operators \(what)")
            do {
                print(try await change(market, request))
            } catch let error as MarketError where error.code == .forbidden {
                FileHandle.standardError.write(Data("market-console: \(error)\n".utf8))
                throw ExitCode(3)
            } catch let error as MarketError {
                FileHandle.standardError.write(Data("market-console: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
