/// Renders a series as a row of bars, newest at the right.
enum Sparkline {
    static func render(_ series: [Int64], width: Int, boxes: BoxCharacters) -> String {
        guard width > 0, !series.isEmpty else { return "" }
        let shown = series.suffix(width)
        let top = max(shown.max() ?? 0, 1)
        let levels = boxes.sparkLevels
        return String(shown.map { value -> Character in
            guard value > 0 else { return levels[0] }
            // Any non-zero value gets at least the lowest visible bar.
            let index = 1 + Int((Double(value) / Double(top)) * Double(levels.count - 2)).clamped(to: 0...(levels.count - 2))
            return levels[index]
        })
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
