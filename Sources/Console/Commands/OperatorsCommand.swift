import ArgumentParser
import Foundation
import MarketCore

extension OperatorRole: ExpressibleByArgument {}

/// `market-console operators add|list|remove`: who may do what. Changes need an admin, except on
/// the embedded default, whose owner sets it up.
struct OperatorsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operators", abstract: "Add, list or remove console operators and their roles.",
        discussion: "Roles: viewer (looks), oncall (releases locks), moderator (cancels auctions, rejects proposals), admin (everything).",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add an operator, or change their role (admin only).")
        @OptionGroup var options: OperatorAdminOptions
        @Argument(help: "The operator's name (their OS user name by default in the console).") var name: String
        @Option(help: "viewer, oncall, moderator or admin.") var role: OperatorRole

        func run() async throws {
            try await options.change("add \(name) as \(role.rawValue)") { market, request in
                try await market.addOperator(name, role: role, by: request)
                return "\(name) is now \(role.rawValue)"
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove an operator: they become a viewer (admin only).")
        @OptionGroup var options: OperatorAdminOptions
        @Argument(help: "The operator's name.") var name: String

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
                    print("no operators yet: everyone is a viewer (market-console operators add NAME --role admin)")
                    return
                }
                let width = operators.map(\.name.count).max() ?? 4
                for account in operators {
                    print(account.name.padding(toLength: max(width, 4), withPad: " ", startingAt: 0) + "  " + account.role.rawValue)
                }
            }
        }
    }
}

/// What changing the operators table takes: the servers, and who asks.
struct OperatorAdminOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(name: .customLong("operator"), help: "The admin making the change (default: the OS user).")
    var operatorName: String?

    @Option(help: "Why (kept in the audit log).")
    var reason: String?

    /// Runs `change` as the admin (or as the embedded default's owner) and prints what it did.
    func change(_ what: String, _ change: @escaping (Market, OperatorRequest?) async throws -> String) async throws {
        try await withConnectedServices(connection, progress: { _ in }) { services, embedded in
            let market = try OperatorMarket.make(services)
            // On the embedded default the machine's owner sets the console up: no admin exists yet.
            let request = embedded ? nil : OperatorRequest(operatorName: operatorName ?? ProcessInfo.processInfo.userName,
                                                          reason: reason ?? "operators \(what)")
            do {
                print(try await change(market, request))
            } catch let error as MarketError where error.kind == .forbidden {
                FileHandle.standardError.write(Data("market-console: \(error)\n".utf8))
                throw ExitCode(3)
            } catch let error as MarketError {
                FileHandle.standardError.write(Data("market-console: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}
