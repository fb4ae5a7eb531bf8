import Testing
@testable import Views

@Suite("Theme colours and styles")
struct ThemeColorTests {
    @Test(arguments: [
        (UInt8(16), NamedColor.black), (196, .red), (46, .green), (226, .yellow), (21, .blue),
        (201, .magenta), (51, .cyan), (231, .white),
        (52, .red),       // 5f0000: a dark red stays red, not black
        (17, .blue),      // 00005f: a navy stays blue
        (208, .yellow),   // ff8700: orange is nearer yellow by hue
        (202, .red),      // ff5f00: a redder orange is red
        (24, .cyan),      // 005f87: deep teal
        (26, .blue),      // 005fd7: royal blue
        (236, .black), (240, .black), (244, .white), (255, .white),  // greys by lightness
        (66, .black), (109, .white),  // 5f8787, 87afaf: too little chroma to count as cyan
    ])
    func indexedColorReducesToNearestBasicByHue(index: UInt8, expected: NamedColor) {
        #expect(ThemeColor.indexed(index).nearestBasic == expected)
    }

    @Test func namedAndLowIndexedColorsKeepTheirNameWithoutBrightness() {
        for color in NamedColor.allCases {
            #expect(ThemeColor.named(color).nearestBasic == color.basic)
            #expect(ThemeColor.indexed(color.index).nearestBasic == color.basic)
        }
        #expect(NamedColor.brightRed.index == 9)
        #expect(NamedColor.brightRed.basic == .red)
        #expect(NamedColor.basicColors.map(\.index) == Array(0...7))
    }

    @Test func everyIndexReducesToABasicColor() {
        for index in 0...255 {
            #expect(ThemeColor.indexed(UInt8(index)).nearestBasic.index < 8)
        }
    }

    @Test func builtInDarkStylesEveryRole() {
        for role in StyleRole.allCases {
            #expect(Theme.builtInDark.styles[role] != nil, "\(role) has no style")
        }
    }

    @Test func roleWithoutColorsTakesNormalsColorsButNotItsAttributes() {
        let theme = Theme(name: "t", styles: [
            .normal: Style(foreground: .indexed(235), background: .indexed(255), bold: true),
            .good: Style(foreground: .named(.green)),
        ])
        #expect(theme.style(for: .good) == Style(foreground: .named(.green), background: .indexed(255)))
        #expect(theme.style(for: .normal).bold)
    }

    @Test func roleMissingFromThemeTakesBuiltInDarksStyle() {
        let theme = Theme(name: "t", styles: [.normal: Style()])
        #expect(theme.style(for: .selected) == Theme.builtInDark.styles[.selected])
    }
}
