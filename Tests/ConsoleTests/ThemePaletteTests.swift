import Testing
import Views
@testable import Console

@Suite("Theme palette for the terminal")
struct ThemePaletteTests {
    typealias Palette = TerminalPalette

    static func shipped(_ name: String) -> Theme {
        ThemeLoader.load(ThemeFixtures.shippedPath(name), environment: [:]).theme
    }

    @Test(arguments: [(nil, false), ("", false), ("1", true), ("0", true), ("false", true)] as [(String?, Bool)])
    func anyNonEmptyNoColorTurnsColorsOff(value: String?, off: Bool) {
        #expect(ColorSupport.noColorRequested(value) == off)
    }

    @Test(arguments: [(0, ColorSupport.none), (2, .none), (8, .basic), (16, .basic), (88, .basic),
                      (256, .indexed), (16_777_216, .indexed)])
    func supportFollowsTheTerminalsColorCount(colors: Int, expected: ColorSupport) {
        #expect(ColorSupport(colors: colors) == expected)
    }

    @Test func withoutColorsDarkKeepsItsAttributesAndColoredRolesFallBackToMonochrome() {
        let plan = Palette.plan(.builtInDark, support: .none)
        #expect(plan.pairs.isEmpty)
        #expect(plan.looks.values.allSatisfy { $0.pair == 0 })
        let attributes = plan.looks.mapValues(\.attributes)
        #expect(attributes == [
            .normal: [],
            .title: [.bold, .reverse],
            .header: [.bold, .underline],
            .border: .dim,
            .dim: .dim,
            .accent: .bold,
            .good: [],
            .warning: .bold,
            .critical: [.bold, .reverse],
            .selected: [.bold, .reverse],  // dark's own bold, and reverse so the cursor row shows
            .added: .bold,
            .changed: .underline,
            .removed: .dim,
            .statusBar: .reverse,
            .keyHint: .reverse,
            .dialog: .bold,
            .input: .underline,
        ])
    }

    @Test func withoutColorsARoleThatLooksLikeNormalGetsNoFallback() {
        let theme = Theme(name: "t", styles: [
            .normal: Style(foreground: .indexed(235), background: .indexed(255)),
            .selected: Style(underline: true),  // normal's colours, its own attribute
        ])
        let looks = Palette.plan(theme, support: .none).looks
        #expect(looks[.normal]?.attributes == [])
        #expect(looks[.selected]?.attributes == .underline)
    }

    @Test func monochromeFallbackIsMonochromeYaml() {
        let monochrome = Self.shipped("monochrome")
        for role in StyleRole.allCases {
            #expect(Palette.TextAttributes(monochrome.style(for: role)) == Palette.monochromeFallback[role] ?? [],
                    "\(role)")
        }
        #expect(Palette.plan(monochrome, support: .indexed).pairs.isEmpty)
        #expect(Palette.plan(monochrome, support: .none).looks == Palette.plan(monochrome, support: .indexed).looks)
    }

    @Test func with256ColorsIndicesAreUsedAsGivenAndPairsShared() {
        let theme = Theme(name: "t", styles: [
            .normal: Style(),
            .good: Style(foreground: .indexed(114)),
            .added: Style(foreground: .named(.black), background: .indexed(114)),
            .changed: Style(foreground: .named(.black), background: .indexed(114), bold: true),
            .dialog: Style(foreground: .named(.brightWhite)),
        ].merging(StyleRole.allCases.map { ($0, Style()) }) { theme, _ in theme })
        let plan = Palette.plan(theme, support: .indexed)
        #expect(plan.pairs == [.init(foreground: 114, background: -1), .init(foreground: 0, background: 114),
                               .init(foreground: 15, background: -1)])
        #expect(plan.looks[.normal] == .init(attributes: [], pair: 0))
        #expect(plan.looks[.good] == .init(attributes: [], pair: 1))
        #expect(plan.looks[.added] == .init(attributes: [], pair: 2))
        #expect(plan.looks[.changed] == .init(attributes: .bold, pair: 2))
        #expect(plan.looks[.dialog] == .init(attributes: [], pair: 3))
    }

    @Test func withEightColorsDarkIsReducedToBasicColors() {
        let plan = Palette.plan(.builtInDark, support: .basic)
        func colors(_ role: StyleRole) -> Palette.ColorPair? {
            plan.looks[role].flatMap { $0.pair > 0 ? plan.pairs[Int($0.pair) - 1] : nil }
        }
        let (black, red, green, yellow, blue, magenta, cyan, white): (Int16, Int16, Int16, Int16, Int16, Int16, Int16, Int16)
            = (0, 1, 2, 3, 4, 5, 6, 7)
        #expect(colors(.normal) == nil)
        #expect(colors(.title) == .init(foreground: black, background: cyan))
        #expect(colors(.selected) == .init(foreground: white, background: blue))
        #expect(colors(.added) == .init(foreground: black, background: green))
        #expect(colors(.changed) == .init(foreground: black, background: yellow))
        #expect(colors(.removed) == .init(foreground: white, background: red))
        #expect(colors(.accent) == .init(foreground: magenta, background: -1))
        #expect(plan.pairs.allSatisfy { $0.foreground < 8 && $0.background < 8 })
        #expect(Set(plan.pairs).count == plan.pairs.count)
    }

    @Test func withEightColorsTextNeverTakesItsOwnBackgroundColor() {
        // 22 (dark green) and 28 (green) are both green in eight colours.
        let theme = Theme(name: "t", styles: [.normal: Style(), .added: Style(foreground: .indexed(28), background: .indexed(22)),
                                              .removed: Style(foreground: .indexed(52), background: .named(.red))])
        let plan = Palette.plan(theme, support: .basic)
        #expect(plan.pairs[Int(plan.looks[.added]!.pair) - 1] == .init(foreground: 0, background: 2))
        #expect(plan.pairs[Int(plan.looks[.removed]!.pair) - 1] == .init(foreground: 0, background: 1))
    }

    @Test(arguments: ThemeFixtures.shippedNames, [ColorSupport.none, .basic, .indexed])
    func shippedThemeKeepsSelectionBarsAndFlashesApartFromNormal(name: String, support: ColorSupport) {
        let looks = Palette.plan(Self.shipped(name), support: support).looks
        for role in [StyleRole.title, .selected, .added, .changed, .removed, .statusBar, .critical] {
            #expect(looks[role] != looks[.normal], "\(name) \(role) looks like normal with \(support)")
        }
        // A flash must not look like the selection it may sit next to.
        #expect(looks[.selected] != looks[.added] && looks[.selected] != looks[.changed] && looks[.selected] != looks[.removed])
    }
}
