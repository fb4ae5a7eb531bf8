/// The request line and the one header a metrics endpoint cares about, parsed from a request head.
struct HTTPRequestHead {
    /// nil when the request line is malformed (not `METHOD TARGET HTTP/1.x`).
    let request: MetricsHTTPServer.Request?

    init(_ bytes: [UInt8]) {
        let end = Self.endOfHead(in: bytes) ?? bytes.count
        let text = String(decoding: bytes[0..<end], as: UTF8.self)
        let lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = (lines.first ?? "").split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), !parts[0].isEmpty,
              parts[0].allSatisfy({ $0.isUppercase }), parts[1].hasPrefix("/") else {
            request = nil
            return
        }
        var accept = ""
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            if line[..<colon].lowercased() == "accept" {
                accept = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let path = parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        request = MetricsHTTPServer.Request(method: String(parts[0]), path: String(path), accept: accept)
    }

    /// Where the blank line ending the head starts, if it has arrived.
    static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
