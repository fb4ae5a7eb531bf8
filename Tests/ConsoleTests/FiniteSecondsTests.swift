@testable import Console
import Foundation
@testable import MarketCore
@testable import MarketEmbedded
import Testing

/// Seconds typed by a person never trap converting to a `Duration`: out of range is one clear line.
@Suite("Finite seconds")
struct FiniteSecondsTests {
    @Test(arguments: [Double.infinity, -.infinity, .nan, 1e300, -1, 0.1, 31_536_001])
    func valuesThatAreNotFiniteOrOutOfRangeAreRefusedWithOneLine(seconds: Double) {
        #expect(throws: (any Error).self) { try FiniteSeconds.duration(seconds, option: "--interval", minimum: 0.25) }
        do {
            _ = try FiniteSeconds.duration(seconds, option: "--interval", minimum: 0.25)
        } catch {
            #expect(error.message.hasPrefix("--interval must be a number of seconds from 0.25 to 31536000, not "))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func aValueInRangeBecomesItsDuration() throws {
        #expect(try FiniteSeconds.duration(0.25, option: "--interval", minimum: 0.25) == .milliseconds(250))
        #expect(try FiniteSeconds.duration(90, option: "--duration", minimum: 0) == .seconds(90))
    }

    @Test(arguments: [["snapshot", "--interval", "inf"], ["snapshot", "--interval", "1e300"], ["snapshot", "--interval", "nan"],
                      ["simulate", "--duration", "1e300"], ["simulate", "--duration", "inf"]])
    func theCommandsExit2WithOneLineInsteadOfTrapping(arguments: [String]) throws {
        // Validation comes before any connection: no server is needed.
        let result = ChildProcessRunner.run(try ConsoleEndToEndTests.consoleBinary(), arguments)
        #expect(result.status == 2, "\(result.output)")
        let option = arguments[1]
        #expect(result.output.split(separator: "\n").first?.hasPrefix("Error: \(option) must be a number of seconds") == true,
                "\(result.output)")
    }

    @Test(arguments: [("inf", ":refresh must be a number of seconds from 0.25 to 60, not inf"),
                      ("nan", ":refresh must be a number of seconds from 0.25 to 60, not nan"),
                      ("1e300", ":refresh must be a number of seconds from 0.25 to 60, not 1e+300"),
                      ("0.1", ":refresh must be a number of seconds from 0.25 to 60, not 0.1"),
                      ("abc", ":refresh needs a number of seconds"), ("", ":refresh needs a number of seconds")])
    func refreshCommandRefusesWhatIsNotSecondsAndKeepsTheInterval(argument: String, message: String) {
        var model = ViewRenderingTests.model(.overview, width: 120, height: 40)
        let before = model.refreshInterval
        for character in ":refresh \(argument)" { _ = model.update(.key(.character(character)), now: DashboardFixture.now) }
        _ = model.update(.key(.enter), now: DashboardFixture.now)
        #expect(model.refreshInterval == before)
        #expect(model.message?.text == message + ", e.g. :refresh 2")
    }

    @Test func refreshCommandSetsAnIntervalInRange() {
        var model = ViewRenderingTests.model(.overview, width: 120, height: 40)
        for character in ":refresh 2.5" { _ = model.update(.key(.character(character)), now: DashboardFixture.now) }
        _ = model.update(.key(.enter), now: DashboardFixture.now)
        #expect(model.refreshInterval == .milliseconds(2_500))
    }

    @Test(arguments: ["inf", "infs", "nanm", "1e400h"])
    func durationsInTheConfigurationAndWriteModeAreFinite(text: String) {
        #expect(DashboardModel.parseDuration(text) == nil)
    }
}
