import MarketCore

/// Strings the market may hold that a terminal, a layout or a spreadsheet would trip on: wide and
/// zero-width graphemes, escape sequences, bidi overrides, line breaks, formulas and very long
/// text, alone and mixed, generated from a fixed seed (the same few hundred strings every run).
enum HostileCorpus {
    static let seed: UInt64 = 0x5EED_0014

    /// Each fragment on its own is a case; the corpus also mixes them.
    static let fragments: [String] = [
        "用户名字很长的名字🎁", "ｆｕｌｌｗｉｄｔｈ", "한국어 이름", "\u{1100}\u{1161}\u{11A8}", "🎁", "🐸", "👍🏽",
        "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇯🇵🇺🇦", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "❤️", "1️⃣", "e\u{301}", "\u{301}lone mark", "Z\u{364}\u{351}a\u{308}\u{316}l\u{36E}g\u{30C}o\u{319}",
        "\u{1B}[2J", "\u{1B}[31mred\u{1B}[0m", "\u{1B}]52;c;ZXZpbA==\u{07}", "\u{1B}]8;;http://evil\u{1B}\\link\u{1B}]8;;\u{1B}\\",
        "\u{9B}6n", "\u{90}q\u{9C}", "del\u{7F}", "nul\u{0}", "bell\u{07}",
        "evil\u{202E}gpj.exe", "\u{2066}iso\u{2069}", "\u{202A}\u{202B}\u{202C}\u{202D}", "\u{200B}\u{FEFF}\u{200F}",
        "line\nbreak", "tab\there", "cr\rreturn", "\r\n", "\u{2028}sep",
        "=HYPERLINK(\"http://evil\",\"x\")", "@SUM(1+1)", "+1+1", "-2+3", "=1", "\t=cmd", "\r=cmd",
        "مرحبا", "שלום", "Ω≈ç√", "plain", "",
        String(repeating: "x", count: 300), String(repeating: "用", count: 150), String(repeating: "👨‍👩‍👧", count: 60),
    ]

    /// The fragments, then mixes of two to four of them: `count` strings in all.
    static func strings(count: Int = 300) -> [String] {
        var generator = SeededRandom(seed: seed)
        var result = fragments
        while result.count < count {
            let parts = Int.random(in: 2...4, using: &generator)
            result.append((0..<parts).map { _ in fragments.randomElement(using: &generator)! }.joined(separator: " "))
        }
        return result
    }
}
