import ArgumentParser

/// Seconds a person typed (a flag, the `:` line) checked before they become a `Duration`.
///
/// `Double` parses `inf`, `nan` and `1e300`, and converting such a value to the integer a
/// `Duration` counts in traps: the process would die with a stack trace instead of a sentence.
enum FiniteSeconds {
    /// The longest span any option of the console means: a year.
    static let longest: Double = 365 * 86_400

    /// `seconds` as a `Duration`, or the one-line problem (exit 2 from a command) when it is not a
    /// finite number from `minimum` to `maximum`.
    static func duration(_ seconds: Double, option: String, minimum: Double, maximum: Double = longest) throws(ValidationError) -> Duration {
        guard seconds.isFinite, seconds >= minimum, seconds <= maximum else {
            throw ValidationError("\(option) must be a number of seconds from \(format(minimum)) to \(format(maximum)), not \(format(seconds))")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// 0.25 → "0.25", 60 → "60", inf → "inf".
    private static func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }
}
