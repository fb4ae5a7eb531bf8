/// The arrow beside a number that changed since the previous refresh.
enum Trend {
    /// " ↑" when `value` grew from `previous`, " ↓" when it shrank, "" when unchanged or new.
    static func arrow(from previous: Int64?, to value: Int64) -> String {
        guard let previous, previous != value else { return "" }
        return value > previous ? " ↑" : " ↓"
    }
}
