import Foundation
import Testing
import Views
@testable import Console

@Suite("Theme files")
struct ThemeFileTests {
    @Test(arguments: ThemeFixtures.shippedNames)
    func shippedThemeLoadsWithoutProblemAndStylesEveryRole(name: String) throws {
        let path = ThemeFixtures.shippedPath(name)
        let (theme, problem) = ThemeLoader.load(path, environment: [:])
        #expect(problem == nil)
        #expect(theme.name == name)
        // Every role is in the file itself, not inherited from the built-in theme.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        for role in StyleRole.allCases {
            #expect(theme.styles[role] != nil)
            #expect(text.contains("\n\(role.rawValue):"), "\(name).yaml does not style \(role)")
        }
    }

    @Test func darkFileIsTheBuiltInDefault() {
        #expect(ThemeLoader.load(ThemeFixtures.shippedPath("dark"), environment: [:]).theme == Theme.builtInDark)
    }

    @Test func monochromeUsesNoColors() {
        let theme = ThemeLoader.load(ThemeFixtures.shippedPath("monochrome"), environment: [:]).theme
        for role in StyleRole.allCases {
            #expect(theme.style(for: role).foreground == nil)
            #expect(theme.style(for: role).background == nil)
        }
    }

    @Test func readsNamesNumbersAndAttributes() throws {
        let theme = try ThemeFile.parse("""
            normal: { fg: 235, bg: bright-white }
            title:
              fg: black
              bg: 38
              bold: yes
              underline: false
            good:
            """, name: "mine")
        #expect(theme.name == "mine")
        #expect(theme.styles[.normal] == Style(foreground: .indexed(235), background: .named(.brightWhite)))
        #expect(theme.styles[.title] == Style(foreground: .named(.black), background: .indexed(38), bold: true))
        #expect(theme.styles[.good] == Style())
        #expect(theme.styles[.selected] == Theme.builtInDark.styles[.selected])
    }

    @Test func badColorReportsPathLineAndColumn() throws {
        let yaml = """
            # mine
            normal: {}
            title: { fg: black, bg: 38 }
            header:
              fg: purple
            """
        try ThemeFixtures.withDirectory(["mine.yaml": yaml]) { directory in
            let path = directory + "/mine.yaml"
            let (theme, problem) = ThemeLoader.load(path, environment: [:])
            #expect(theme == .builtInDark)
            #expect(problem?.hasPrefix("\(path):5:7: unknown colour 'purple' for fg; use 0–255 or one of black,") == true)
        }
    }

    @Test(arguments: [
        ("normal: { bg: 256 }", "1:15: colour index 256 is out of range 0–255"),
        ("normal: { fg: -1 }", "1:15: colour index -1 is out of range 0–255"),
        ("normal: {}\ntitel: { bold: true }", "2:1: unknown style role 'titel'; the roles are normal, title,"),
        ("title: { bold: maybe }", "1:16: bold must be true or false, not 'maybe'"),
        ("title: { bold: \"true\" }", "1:16: bold must be true or false, not the quoted text 'true'"),
        ("title: { colour: red }", "1:10: unknown style key 'colour' in 'title'; a style has fg, bg, bold,"),
        ("title: red", "1:8: the style of 'title' must be a mapping with fg, bg, bold, dim, underline, reverse, not 'red'"),
        ("title: { fg: [1, 2] }", "1:14: fg must be a colour name or 0–255, not a list"),
        ("- normal\n- title", "1:1: expected a mapping from style role"),
        ("", "1: expected a mapping from style role"),
        ("title: {}\ntitle: { bold: true }", "1:1: duplicate key 'title'"),
    ])
    func validationProblemIsLocated(yaml: String, expected: String) {
        #expect(throws: YAMLFileError.self) { try ThemeFile.parse(yaml, name: "t") }
        do {
            _ = try ThemeFile.parse(yaml, name: "t")
        } catch {
            #expect(error.message(path: "t.yaml").hasPrefix("t.yaml:" + expected), "\(error.message(path: "t.yaml"))")
        }
    }

    @Test func invalidYamlReportsItsLine() throws {
        let yaml = "normal: {}\ntitle: { fg: black\nheader: { bold: true }\n"
        try ThemeFixtures.withDirectory(["broken.yaml": yaml]) { directory in
            let (theme, problem) = ThemeLoader.load(directory + "/broken.yaml", environment: [:])
            #expect(theme == .builtInDark)
            let message = problem ?? ""
            #expect(message.hasPrefix(directory + "/broken.yaml:3:"), "\(message)")
            #expect(message.contains("invalid YAML"))
        }
    }

    @Test func tabIndentationIsInvalidYamlWithItsLine() {
        #expect(throws: YAMLFileError(line: 2, column: 1,
                                       problem: "invalid YAML: found character that cannot start any token (while scanning for the next token at 2:1)")) {
            try ThemeFile.parse("title:\n\tbold: true\n", name: "t")
        }
    }

    @Test func fileThatIsNotUTF8IsReported() throws {
        try ThemeFixtures.withDirectory(["bad.yaml": Data([0x6E, 0x3A, 0xFF, 0xFE, 0x0A])]) { directory in
            let (theme, problem) = ThemeLoader.load(directory + "/bad.yaml", environment: [:])
            #expect(theme == .builtInDark)
            #expect(problem == directory + "/bad.yaml: not UTF-8 text")
        }
    }

    @Test func arbitraryBytesNeverCrashTheParser() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("normaltitle:{}[],-#&*!|>'\"%@` \t\n0123456789fgbd:yes")
        for _ in 0..<500 {
            let length = Int.random(in: 0..<60, using: &generator)
            let yaml = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            _ = try? ThemeFile.parse(yaml, name: "fuzz")
        }
    }

    @Test func deepNestingIsAProblemNotACrash() {
        let nested = "title: " + String(repeating: "[", count: 900) + String(repeating: "]", count: 900)
        #expect(throws: YAMLFileError.self) { try ThemeFile.parse(nested, name: "deep") }
        let tooDeep = String(repeating: "[", count: 100_000)
        #expect(throws: YAMLFileError.self) { try ThemeFile.parse(tooDeep, name: "deep") }
    }
}
