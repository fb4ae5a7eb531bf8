import Testing
@testable import Console

/// CSV cells keep the data but never start a formula (OWASP CSV injection).
@Suite("CSV fields")
struct CSVFieldTests {
    @Test(arguments: [
        ("=HYPERLINK(\"http://evil\",\"x\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\""),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "\"'\r=cmd\""),
        ("-1.5 TON", "'-1.5 TON"),
    ])
    func formulaTriggersGetALeadingQuote(value: String, field: String) {
        #expect(CSVField.encode(value) == field)
    }

    @Test(arguments: ["-3", "+1.5", "-0.25", "1e5", "-2E-3", "plain", "用户名字🎁", "a=b", "a,b", ""])
    func numbersAndOrdinaryTextStayAsTheyAre(value: String) {
        #expect(Self.decode(CSVField.encode(value)) == value)
    }

    /// Every string of the hostile corpus: decoded back it is the value, or the value behind a
    /// `'` when the value would start a formula; no field starts a formula.
    @Test func noHostileStringStartsAFormulaAndEveryOneDecodesBack() {
        for value in HostileCorpus.strings() {
            let field = CSVField.encode(value)
            let decoded = Self.decode(field)
            #expect(decoded == value || decoded == "'" + value, "\(field)")
            if let first = decoded.unicodeScalars.first {
                #expect(!"=+-@\t\r".unicodeScalars.contains(first) || Double(decoded) != nil, "\(field)")
            }
        }
    }

    @Test func aSeparatorFollowedByACombiningMarkIsStillQuoted() {
        #expect(CSVField.encode("a,\u{301}b") == "\"a,\u{301}b\"")
        #expect(CSVField.encode("x\"\u{301}") == "\"x\"\"\u{301}\"")
    }

    /// RFC 4180 unquoting of one field, code point by code point as CSV readers do.
    static func decode(_ field: String) -> String {
        var scalars = Array(field.unicodeScalars)
        guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return field }
        scalars = Array(scalars.dropFirst().dropLast())
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            result.append(scalars[index])
            index += scalars[index] == "\"" ? 2 : 1
        }
        return String(result)
    }
}
