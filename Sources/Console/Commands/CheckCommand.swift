import ArgumentParser
import Foundation
import MarketCore

/// `market-console check`: checks the market's invariants on one consistent snapshot; exits 1
/// when any is broken, so it can gate a deploy or page someone.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the market's invariants (money, holds, NFT and channel states) on one snapshot.",
        discussion: "Read-only. Exit status 0: clean; 1: violations found (or the check failed); 4: PostgreSQL cannot be reached.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print the violations as JSON: {\"violations\":[{\"invariant\":…,\"message\":…,\"rows\":[…]}]}.")
    var json = false

    func run() async throws {
        // With --json, stdout carries only the document: progress lines go to stderr.
        let toStandardError = json
        let progress: @Sendable (String) -> Void = { line in
            if toStandardError {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            } else {
                print(line)
            }
        }
        let violations = try await withConnectedServices(connection, progress: progress) { services, _ in
            try await InvariantChecker(pool: services.pool).check()
        }
        if json {
            try printJSON(violations)
        } else {
            printText(violations)
        }
        if !violations.isEmpty { throw ExitCode(1) }
    }

    private func printText(_ violations: [InvariantViolation]) {
        guard !violations.isEmpty else {
            print("checked \(InvariantChecker.invariants.count) invariants: clean")
            return
        }
        for violation in violations {
            print("✖ \(violation.invariant): \(violation.message)")
            for row in violation.rows { print("    \(row)") }
        }
        let broken = Set(violations.map(\.invariant)).count
        print("checked \(InvariantChecker.invariants.count) invariants: \(broken) broken, \(violations.count) violation(s)")
    }

    private func printJSON(_ violations: [InvariantViolation]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let document = ViolationsDocument(violations: violations.map {
            ViolationsDocument.Violation(invariant: $0.invariant, message: $0.message, rows: $0.rows)
        })
        print(String(decoding: try encoder.encode(document), as: UTF8.self))
    }
}

/// The `--json` output of `market-console check`.
private struct ViolationsDocument: Encodable {
    struct Violation: Encodable {
        let invariant: String
        let message: String
        let rows: [String]
    }

    let violations: [Violation]
}
