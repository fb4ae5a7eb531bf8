import Testing
@testable import Console
import Views

@Suite("Console configuration file")
struct ConsoleConfigurationTests {
    @Test func keysCanBeRebound_andHelpAndHintsFollow() throws {
        let configuration = try ConsoleConfiguration.parse("""
            keys:
              move-down: [n, down]
              action-cancel: ctrl-x
              help: F
              action-force: ctrl-g
            """)
        let map = configuration.keyMap
        #expect(map.command(for: .character("n")) == .moveDown)
        #expect(map.command(for: .character("j")) == nil, "j no longer moves down")
        #expect(map.command(for: .control("x")) == .action(.cancel))
        #expect(map.command(for: .character("x")) == nil)
        #expect(map.hints.first == KeyHint(key: "F", label: "help"))
        #expect(map.help.first?.keys == "n ↓")
    }

    @Test func noDefaultDestructiveActionSitsOnCtrlDKOrU() {
        for letter: Character in ["d", "k", "u"] {
            let command = KeyMap.standard.command(for: .control(letter))
            #expect(command == nil || !({ if case .action = command! { true } else { false } }()))
        }
    }

    @Test func aKeyBoundTwiceIsALocatedProblem() {
        #expect(throws: YAMLFileError(line: 2, column: 3, problem: "q is bound to both move-down and quit")) {
            try ConsoleConfiguration.parse("keys:\n  move-down: q\n")
        }
    }

    @Test func unknownCommandsKeysAndThresholdsSayWhereAndWhatExists() {
        #expect(throws: YAMLFileError.self) { try ConsoleConfiguration.parse("keys:\n  fly: j\n") }
        let problem = ConsoleConfiguration.load(path: "/nonexistent/config.yaml", environment: [:]).problem
        #expect(problem == "/nonexistent/config.yaml: cannot read the configuration file")
        do {
            _ = try ConsoleConfiguration.parse("thresholds:\n  lock-age: soon\n")
            Issue.record("a bad duration was accepted")
        } catch {
            #expect(error.line == 2)
            #expect(error.problem == "lock-age must be a duration like 10s, 2m or 1h")
        }
    }

    @Test func thresholdsAreRead() throws {
        let thresholds = try ConsoleConfiguration.parse("""
            thresholds:
              lock-age: 30s
              ttl-share: 0.5
              transfer-age: 10m
              transaction-age: 1m
            """).thresholds
        #expect(thresholds == Thresholds(lockAge: 30, ttlShare: 0.5, transferAge: 600, transactionAge: 60))
    }

    @Test func aMissingDefaultFileIsFine() {
        let (configuration, problem) = ConsoleConfiguration.load(path: nil, environment: ["XDG_CONFIG_HOME": "/nonexistent"])
        #expect(problem == nil)
        #expect(configuration.thresholds == Thresholds())
    }
}
