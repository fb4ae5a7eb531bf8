import ArgumentParser
import Foundation
import MarketCore

/// `market-console action VERB`: one operator action, headless, through the same core operation
/// the console's keys run. Exit status: 0 done, 1 refused by a rule, 2 bad usage, 3 not permitted,
/// 4 infrastructure unavailable.
struct ActionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action", abstract: "Run one operator action (cancel an auction, resolve a withdrawal, …) headless.",
        discussion: "Exit status: 0 done, 1 refused by a rule, 2 bad usage, 3 not permitted, 4 PostgreSQL or Redis unavailable.",
        subcommands: [CancelAuction.self, RejectProposal.self, ForceCompleteTransfer.self, CancelTransfer.self,
                      RetryTransfer.self, ResolveWithdrawal.self, ReleaseLock.self, Approve.self, RejectApproval.self])

    struct CancelAuction: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel-auction",
                                                        abstract: "Cancel a live auction: top bid released, NFT back to its seller (moderator).")
        @OptionGroup var options: ActionOptions
        @Option(help: "The auction.") var id: Int64
        func run() async throws { try await options.perform(.cancelAuction(id: id, version: options.version)) }
    }

    struct RejectProposal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reject-proposal",
                                                        abstract: "Reject a pending trade proposal (moderator).")
        @OptionGroup var options: ActionOptions
        @Option(help: "The proposal.") var id: Int64
        func run() async throws { try await options.perform(.rejectProposal(id: id, version: options.version)) }
    }

    struct ForceCompleteTransfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "force-complete-transfer",
                                                        abstract: "Complete a pending channel transfer: seller paid, owner changed (admin).")
        @OptionGroup var options: ActionOptions
        @Option(help: "The channel transfer.") var id: Int64
        func run() async throws { try await options.perform(.forceCompleteTransfer(id: id, version: options.version)) }
    }

    struct CancelTransfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "cancel-transfer",
                                                        abstract: "Cancel a pending channel transfer: buyer refunded (admin).")
        @OptionGroup var options: ActionOptions
        @Option(help: "The channel transfer.") var id: Int64
        func run() async throws { try await options.perform(.cancelTransfer(id: id, version: options.version)) }
    }

    struct RetryTransfer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry-transfer",
                                                        abstract: "Ask Telegram again to hand over a pending channel (admin).")
        @OptionGroup var options: ActionOptions
        @Option(help: "The channel transfer.") var id: Int64
        func run() async throws { try await options.perform(.retryTransfer(id: id)) }
    }

    struct ResolveWithdrawal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resolve-withdrawal",
                                                        abstract: "Resolve a pending withdrawal as sent (with its tx hash) or failed (refund) (admin).")
        @OptionGroup var options: ActionOptions
        @Option(help: "The withdrawal.") var id: Int64
        @Option(help: "Resolve as sent with this transaction hash.") var sent: String?
        @Flag(help: "Resolve as failed: the amount goes back to the user.") var failed = false

        func validate() throws {
            guard (sent != nil) != failed else { throw ValidationError("give --sent TX_HASH or --failed, exactly one") }
        }

        func run() async throws {
            if let sent {
                try await options.perform(.resolveWithdrawalSent(id: id, version: options.version, txHash: sent))
            } else {
                try await options.perform(.resolveWithdrawalFailed(id: id, version: options.version))
            }
        }
    }

    struct ReleaseLock: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "release-lock",
                                                        abstract: "Release a Redis lock whose holder is gone; its fence advances (oncall).")
        @OptionGroup var options: ActionOptions
        @Option(help: "The lock key, as :locks and `snapshot --view locks` show it.") var key: String
        func run() async throws { try await options.perform(.releaseLock(key: key)) }
    }
}

extension ActionCommand {
    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve an action waiting for a second operator; the core then runs it once (not your own request).")
        @OptionGroup var options: ActionOptions
        @Option(help: "The approval.") var id: Int64
        func run() async throws { try await options.perform(.approve(id: id)) }
    }

    struct RejectApproval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reject-approval",
                                                        abstract: "Turn down an action waiting for a second operator.")
        @OptionGroup var options: ActionOptions
        @Option(help: "The approval.") var id: Int64
        func run() async throws { try await options.perform(.rejectApproval(id: id)) }
    }
}

/// What every `action` verb takes.
struct ActionOptions: ParsableArguments {
    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Why: kept in the audit log. Required.")
    var reason: String

    @Option(name: .customLong("operator"), help: ArgumentHelp(
        "Refuse (exit 2) unless PostgreSQL authenticated this login.",
        discussion: "Who acts is the database login of DATABASE_URL (peer, SCRAM or certificate), never a flag."))
    var operatorName: String?

    @Option(help: "Refuse unless the row is still at this version (as a console or snapshot showed it).")
    var version: Int64?

    @Flag(help: "Print the outcome as JSON.")
    var json = false

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why") }
    }

    /// Runs `action` and exits with its outcome's status.
    func perform(_ action: OperatorActionRequest) async throws {
        var login = operatorName ?? "?"
        let outcome: ActionOutcome
        let record = ExecutionRecord()
        do {
            let (configuration, embedded) = try await connection.resolve(progress: { Self.standardError($0) })
            defer { embedded?.stop() }
            let services = try await MarketServices.connect(configuration, progress: { Self.standardError($0) })
            do {
                let market = try OperatorMarket.make(services)
                let identity = try await market.identity()
                login = identity.login
                try OperatorMarket.requireLogin(operatorName, is: identity)
                outcome = await ActionRunner(market: market).run(action, reason: reason, recordingInto: record)
                await services.shutdown()
            } catch {
                await services.shutdown()
                throw error
            }
        } catch let error as UsageError {
            Self.standardError("market-console: \(error)")
            throw ExitCode(UsageError.exitStatus)
        } catch {
            outcome = .unavailable("\(error)")
        }
        report(outcome, action: action, operatorName: login, ran: record.steps)
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }

    private func report(_ outcome: ActionOutcome, action: OperatorActionRequest, operatorName: String, ran: [ExecutedStep]) {
        guard json else {
            if case .done = outcome { print(outcome.message) } else { Self.standardError("\(outcome.label): \(outcome.message)") }
            return
        }
        let document: [String: Any] = [
            "action": action.operatorAction.rawValue, "target": action.auditTarget, "operator": operatorName,
            "outcome": outcome.label, "message": outcome.message, "exit_status": Int(outcome.exitStatus),
            // What the core ran: locks, round trips of statements (placeholders, never values), commit or rollback.
            "ran": ran.map { step -> [String: Any] in
                var entry: [String: Any] = ["kind": step.kind.rawValue, "text": step.text, "milliseconds": step.duration.milliseconds]
                if let unitOfWork = step.unitOfWork { entry["unit_of_work"] = unitOfWork }
                if let failure = step.failure { entry["failure"] = failure }
                return entry
            },
        ]
        if let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }

    private static func standardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
