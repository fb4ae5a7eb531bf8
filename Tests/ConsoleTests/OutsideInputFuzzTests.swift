import ArgumentParser
import Foundation
import Testing
@testable import Console
@testable import MarketCore
@testable import Views

/// The parsers of outside input — the configuration file, theme files, the `:` command line and
/// numeric options — fed generated input from fixed seeds. Each test prints its seed; a failure
/// names the case, so it replays exactly. Properties: nothing traps, a problem is one sanitised
/// line at a real position, and what is accepted is in range.
@Suite("Outside input fuzzing")
struct OutsideInputFuzzTests {
    static let hostile = HostileCorpus.fragments.filter { $0.count < 40 }
    static let numbers = ["0", "1", "-1", "0.25", "10s", "2m", "1h", "90", "inf", "-inf", "nan", "1e300", "1e400m", "-0",
                          "0x1p-3", "99999999999999999999", "1_000", ".5", "5.", "+3", "1e-320", "0.999", "10ss", ""]

    static func pick<T>(_ choices: [T], _ generator: inout SeededRandom) -> T { choices.randomElement(using: &generator)! }

    static func start(_ name: String, seed: UInt64) -> SeededRandom {
        print("\(name): fuzz seed 0x\(String(seed, radix: 16))")
        return SeededRandom(seed: seed)
    }

    /// A YAML-ish document: known and unknown words, hostile text, numbers and YAML punctuation on
    /// random indentation.
    static func document(words: [String], _ generator: inout SeededRandom) -> String {
        let punctuation = ["- ", "[", "]", "{", "}", ": ", "&a ", "*a", "!!str ", "? ", "|", ">", "#", "'", "\"", ",", "\t"]
        return (0..<Int.random(in: 1...8, using: &generator)).map { _ in
            var line = String(repeating: " ", count: 2 * Int.random(in: 0...2, using: &generator))
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                switch Int.random(in: 0..<10, using: &generator) {
                case 0..<4: line += pick(words, &generator)
                case 4..<6: line += pick(numbers, &generator)
                case 6: line += pick(hostile, &generator)
                default: line += pick(punctuation, &generator)
                }
                if Bool.random(using: &generator) { line += ": " }
            }
            return line
        }.joined(separator: "\n")
    }

    /// Lines as YAML counts them: CR LF, CR, LF, NEL, LS and PS each end one.
    static func lineCount(_ text: String) -> Int {
        var count = 1
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if ["\r", "\u{85}", "\u{2028}", "\u{2029}"].contains(scalar) || (scalar == "\n" && previous != "\r") { count += 1 }
            previous = scalar
        }
        return count
    }

    static func expectOneSanitisedLine(_ message: String, _ context: @autoclosure () -> String) {
        #expect(!message.unicodeScalars.contains(where: TerminalText.needsEscape), "\(context()): \(message)")
    }

    @Test func configurationFilesNeverTrapAndProblemsAreLocatedLines() async {
        let seed: UInt64 = 0xC0F1_6001
        var generator = Self.start("configuration", seed: seed)
        let words = ["keys", "thresholds", "lock-age", "ttl-share", "transfer-age", "transaction-age"]
            + DashboardCommand.allConfigNames + Key.namedConfigKeys + ["ctrl-x", "ctrl-", "j", "q", "x"]
        for index in 0..<300 {
            await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between cases
            let yaml = Self.document(words: words, &generator)
            let context = "seed 0x\(String(seed, radix: 16)) case \(index): \(TerminalText.sanitized(yaml))"
            do {
                let configuration = try ConsoleConfiguration.parse(yaml)
                let thresholds = configuration.thresholds
                for seconds in [thresholds.lockAge, thresholds.transferAge, thresholds.transactionAge] {
                    #expect(seconds.isFinite && seconds > 0, "\(context)")
                }
                #expect(thresholds.ttlShare > 0 && thresholds.ttlShare < 1, "\(context)")
            } catch {
                if let line = error.line { #expect((1...Self.lineCount(yaml) + 1).contains(line), "\(context)") }
                Self.expectOneSanitisedLine(error.message(path: "config.yaml"), context)
            }
        }
    }

    @Test func themeFilesNeverTrapAndProblemsAreLocatedLines() async {
        let seed: UInt64 = 0x7E3E_0002
        var generator = Self.start("theme", seed: seed)
        let words = StyleRole.allCases.map(\.rawValue) + ["fg", "bg", "bold", "dim", "underline", "reverse", "true", "false", "yes",
                                                          "255", "256", "-1"] + NamedColor.allCases.map(\.rawValue)
        for index in 0..<300 {
            await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between cases
            let yaml = Self.document(words: words, &generator)
            let context = "seed 0x\(String(seed, radix: 16)) case \(index): \(TerminalText.sanitized(yaml))"
            do {
                let theme = try ThemeFile.parse(yaml, name: "fuzz")
                #expect(theme.name == "fuzz", "\(context)")
            } catch {
                if let line = error.line { #expect((1...Self.lineCount(yaml) + 1).contains(line), "\(context)") }
                Self.expectOneSanitisedLine(error.message(path: "fuzz.yaml"), context)
            }
        }
    }

    @Test func theCommandLineNeverTrapsAndKeepsItsLimits() async {
        let seed: UInt64 = 0xC0DE_0003
        var generator = Self.start("command line", seed: seed)
        let words = ["refresh", "write", "q!", "help", "auctions", "loc", "off", "10m", "61m", "2", "0.1"]
        let now = DashboardFixture.now
        var model = ViewRenderingTests.model(.overview, width: 120, height: 40)
        for index in 0..<500 {
            await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between cases
            let line = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                Bool.random(using: &generator) ? Self.pick(words, &generator)
                    : Bool.random(using: &generator) ? Self.pick(Self.numbers, &generator) : Self.pick(Self.hostile, &generator)
            }.joined(separator: " ")
            let context = "seed 0x\(String(seed, radix: 16)) case \(index): :\(TerminalText.sanitized(line))"
            _ = model.update(.key(.character(":")), now: now)
            for character in line {
                _ = model.update(.key(Int.random(in: 0..<20, using: &generator) == 0 ? .backspace : .character(character)), now: now)
            }
            let effects = model.update(.key(.enter), now: now)
            if effects.contains(.quit) { model = ViewRenderingTests.model(.overview, width: 120, height: 40) }
            _ = model.update(.key(.escape), now: now)
            #expect(model.refreshInterval >= DashboardModel.minimumRefresh && model.refreshInterval <= DashboardModel.maximumRefresh, "\(context)")
            let state = DashboardPresenter.state(model, now: now, boxes: .unicode)
            HostileNamesRenderingTests.expectClean(DashboardScreen.render(state, width: 120, height: 40), context)
        }
    }

    @Test func numericOptionsAreInRangeOrABadUsageExit() async {
        let seed: UInt64 = 0x0B71_0004
        var generator = Self.start("numeric options", seed: seed)
        func number() -> String {
            if Bool.random(using: &generator) { return Self.pick(Self.numbers, &generator) }
            let digits = (0..<Int.random(in: 1...25, using: &generator)).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
            let sign = Self.pick(["", "-", "+"], &generator)
            let exponent = Bool.random(using: &generator) ? "e\(Int.random(in: -400...400, using: &generator))" : ""
            return sign + digits + exponent
        }
        for index in 0..<120 {
            await Task.yield()  // CPU-bound: let the suite's timing-sensitive tests run between cases
            let value = number()
            let context = "seed 0x\(String(seed, radix: 16)) case \(index): \(value)"
            let parsed: [(command: String, arguments: [String])] = [
                ("snapshot", ["--interval", value]), ("snapshot", ["--limit", value]),
                ("simulate", ["--duration", value]), ("simulate", ["--hot-skew", value]),
            ]
            for (command, arguments) in parsed {
                do {
                    if command == "snapshot" {
                        let snapshot = try SnapshotCommand.parse(arguments)
                        #expect(snapshot.interval.isFinite && snapshot.interval >= 0.25 && snapshot.interval <= FiniteSeconds.longest, "\(context)")
                        #expect((1...500).contains(snapshot.limit), "\(context)")
                    } else {
                        let simulate = try SimulateCommand.parse(arguments)
                        #expect(simulate.duration.map { $0.isFinite && $0 >= 0 && $0 <= FiniteSeconds.longest } ?? true, "\(context)")
                        #expect((0...1).contains(simulate.hotSkew), "\(context)")
                    }
                } catch {
                    #expect(MarketConsole.exitCode(for: error) == .validationFailure, "\(context) \(arguments): \(error)")
                    Self.expectOneSanitisedLine(TerminalText.sanitizedLines(MarketConsole.message(for: error)), context)
                }
            }
            #expect(DashboardModel.parseDuration(value).map(\.isFinite) ?? true, "\(context)")
        }
    }

    @Test func anyDoubleBecomesADurationInRangeOrAProblem() async {
        let seed: UInt64 = 0xD0B1_0005
        var generator = Self.start("finite seconds", seed: seed)
        for index in 0..<10_000 {
            if index % 500 == 0 { await Task.yield() }  // CPU-bound: let timing-sensitive tests run
            let seconds = Double(bitPattern: generator.next())
            do {
                let duration = try FiniteSeconds.duration(seconds, option: "--interval", minimum: 0.25)
                #expect(duration >= .milliseconds(250) && duration <= .seconds(Int64(FiniteSeconds.longest)), "case \(index): \(seconds)")
            } catch {
                #expect(!(seconds.isFinite && seconds >= 0.25 && seconds <= FiniteSeconds.longest), "case \(index): \(seconds)")
            }
        }
    }
}
