import Foundation
import Testing
import Views
@testable import Console

@Suite("Theme loading by name and path")
struct ThemeLoaderTests {
    @Test func unknownNameListsAvailableThemes() throws {
        try ThemeFixtures.withDirectory(["custom.yaml": "title: { bold: true }", "notes.txt": "x"]) { directory in
            let (theme, problem) = ThemeLoader.load("solarised", environment: ["MARKET_CONSOLE_THEMES": directory])
            #expect(theme == .builtInDark)
            // The repository's themes are found above the test executable.
            #expect(problem == "no theme named 'solarised'; available: custom, dark, high-contrast, light, monochrome")
        }
    }

    @Test func nameIsLookedUpInMarketConsoleThemesFirst() throws {
        try ThemeFixtures.withDirectory(["light.yml": "title: { underline: true }"]) { directory in
            let (theme, problem) = ThemeLoader.load("light", environment: ["MARKET_CONSOLE_THEMES": directory])
            #expect(problem == nil)
            #expect(theme.name == "light")
            #expect(theme.styles[.title] == Style(underline: true))
        }
    }

    @Test func shippedThemeIsFoundByName() {
        let (theme, problem) = ThemeLoader.load("high-contrast", environment: [:])
        #expect(problem == nil)
        #expect(theme == ThemeLoader.load(ThemeFixtures.shippedPath("high-contrast"), environment: [:]).theme)
        #expect(theme.styles[.normal] == Style(foreground: .named(.brightWhite), background: .named(.black)))
    }

    @Test func noThemeAskedForLoadsDark() {
        let (theme, problem) = ThemeLoader.load(nil, environment: [:])
        #expect(problem == nil)
        #expect(theme == .builtInDark)
    }

    @Test func problemInFoundFileNamesItsPath() throws {
        try ThemeFixtures.withDirectory(["mine.yaml": "normal: {}\nbogus: {}\n"]) { directory in
            let (_, problem) = ThemeLoader.load("mine", environment: ["MARKET_CONSOLE_THEMES": directory])
            #expect(problem?.hasPrefix(directory + "/mine.yaml:2:1: unknown style role 'bogus'") == true)
        }
    }

    @Test(arguments: ["missing.yaml", "./missing", "sub/missing.yml"])
    func missingPathIsReportedAsGiven(path: String) {
        let (theme, problem) = ThemeLoader.load(path, environment: [:])
        #expect(theme == .builtInDark)
        #expect(problem == "\(path): no such theme file")
    }

    @Test func directoryIsNotAThemeFile() throws {
        try ThemeFixtures.withDirectory([String: String]()) { directory in
            #expect(ThemeLoader.load(directory + "/", environment: [:]).problem == directory + "/: is a directory, not a theme file")
        }
    }

    @Test func searchDirectoriesAreInOrderAndListedOnce() throws {
        try ThemeFixtures.withDirectory([String: String]()) { root in
            // A repository with themes/ and a binary in .build/release/.
            let release = root + "/repo/.build/release"
            try FileManager.default.createDirectory(atPath: release, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/repo/themes", withIntermediateDirectories: true)
            let directories = ThemeLoader.searchDirectories(environment: ["MARKET_CONSOLE_THEMES": "/etc/mine"],
                                                            currentDirectory: root + "/elsewhere",
                                                            executablePath: release + "/market-console")
            let resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
            #expect(directories == ["/etc/mine", root + "/elsewhere/themes", resolvedRoot + "/repo/themes",
                                    "/usr/share/market-console/themes"])
            // Started from the repository itself, ./themes and the one above the binary are the same.
            let fromRepo = ThemeLoader.searchDirectories(environment: ["MARKET_CONSOLE_THEMES": ""],
                                                         currentDirectory: resolvedRoot + "/repo",
                                                         executablePath: release + "/market-console")
            #expect(fromRepo == [resolvedRoot + "/repo/themes", "/usr/share/market-console/themes"])
        }
    }
}
