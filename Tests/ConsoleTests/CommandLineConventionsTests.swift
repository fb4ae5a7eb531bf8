import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import Testing

/// `--version` names the build's commit, and the generated bash completion completes commands and
/// their options, run through bash itself as the shell would.
@Suite("Command-line conventions")
struct CommandLineConventionsTests {
    @Test func versionPrintsTheReleaseAndTheCommitTheBinaryWasBuiltFrom() throws {
        let binary = try ConsoleEndToEndTests.consoleBinary()
        let version = ChildProcessRunner.run(binary, ["--version"], timeout: 30)
        #expect(version.succeeded)
        let line = version.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let match = try #require(line.wholeMatch(of: /0\.1\.0 \(commit ([0-9a-f]{12})(-dirty)?\)/), "got \(line)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let head = ChildProcessRunner.run("/usr/bin/git", ["-C", root.path, "rev-parse", "--short=12", "HEAD"], timeout: 30)
        if head.succeeded {
            // The binary may predate the newest commit only when built before it: scripts/test.sh builds first.
            #expect(String(match.1) == head.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    @Test(arguments: [("market-console exp", "exporter"), ("market-console exporter --lis", "--listen")])
    func bashCompletionCompletesCommandsAndOptions(line: String, expected: String) throws {
        let binary = try ConsoleEndToEndTests.consoleBinary()
        let script = ChildProcessRunner.run(binary, ["--generate-completion-script", "bash"], timeout: 30)
        #expect(script.succeeded)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("market-console-completion-\(UUID().uuidString).bash")
        try Data(script.output.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let directory = URL(fileURLWithPath: binary).deletingLastPathComponent().path
        let completion = ChildProcessRunner.run("/bin/bash", ["-c", """
            source "$1"
            PATH="$2:$PATH"
            read -r -a COMP_WORDS <<< "$3"
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            COMP_LINE="$3"
            COMP_POINT=${#COMP_LINE}
            function=$(complete -p market-console | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p')
            "$function" market-console "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """, "completion", file.path, directory, line], timeout: 30)
        #expect(completion.succeeded, "\(completion.output)")
        #expect(completion.output.split(separator: "\n").map(String.init).contains(expected), "got \(completion.output)")
    }
}
