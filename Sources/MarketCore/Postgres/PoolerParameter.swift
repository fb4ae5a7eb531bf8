import Foundation

/// Our own `pooler` connection parameter, which libpq does not know and would refuse: found and
/// removed from a URI's query (`?pooler=transaction&sslmode=…`) or a key=value string.
enum PoolerParameter {
    /// The URL without the parameter, and whether it named a transaction pooler.
    ///
    /// - Throws: ``PostgresError`` `.invalidConfiguration` for a value other than `transaction` or `none`.
    static func extract(from url: String) throws -> (url: String, transactionPooler: Bool) {
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") {
            guard let question = url.firstIndex(of: "?") else { return (url, false) }
            var found: String?
            let kept = url[url.index(after: question)...].split(separator: "&").filter { pair in
                guard pair.hasPrefix("pooler=") else { return true }
                found = String(pair.dropFirst("pooler=".count))
                return false
            }
            guard let found else { return (url, false) }
            let base = String(url[..<question])
            return (kept.isEmpty ? base : base + "?" + kept.joined(separator: "&"), try pooling(found))
        }
        var found: String?
        let kept = url.split(separator: " ").filter { word in
            guard word.hasPrefix("pooler=") else { return true }
            found = String(word.dropFirst("pooler=".count))
            return false
        }
        guard let found else { return (url, false) }
        return (kept.joined(separator: " "), try pooling(found))
    }

    private static func pooling(_ value: String) throws -> Bool {
        switch value {
        case "transaction": return true
        case "none": return false
        default:
            throw PostgresError(code: .invalidConfiguration,
                                message: "invalid database URL: pooler=\(value) (give pooler=transaction or pooler=none)")
        }
    }
}
