import Foundation

/// One CSV field of a snapshot: the data kept as it is, quoted by RFC 4180, and never a formula.
///
/// A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
/// formula (`=HYPERLINK(…)`, `@SUM(…)`: OWASP's CSV injection). Such a field gets a leading `'`,
/// which spreadsheets take as "text" and do not show, unless it is a plain number such as `-3` or
/// `+1.5`.
enum CSVField {
    static func encode(_ value: String) -> String {
        var field = value
        if let first = field.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isNumber(field) {
            field = "'" + field
        }
        // By code point, not by Character: a comma or quote followed by a combining mark is one
        // Character to Swift but still a separator to every CSV reader.
        let special: Set<Unicode.Scalar> = [",", "\"", "\n", "\r"]
        guard field.unicodeScalars.contains(where: special.contains) else { return field }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in field.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }

    /// Digits with an optional sign, decimal point and exponent: nothing a spreadsheet would call.
    private static func isNumber(_ text: String) -> Bool {
        text.range(of: #"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"#, options: .regularExpression) != nil
    }
}
