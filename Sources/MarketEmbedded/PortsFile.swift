import Foundation
import MarketCore

/// The ports the embedded servers last used, kept in `<state>/ports.json` as `{"postgres":N,"redis":M}` so that a
/// restart gets the same URLs when those ports are still free.
struct EmbeddedPortsFile: Codable, Sendable, Equatable {
    /// PostgreSQL's port.
    var postgres: Int?
    /// Redis's port.
    var redis: Int?

    /// Path of the file in `stateDirectory`.
    static func path(in stateDirectory: String) -> String {
        (stateDirectory as NSString).appendingPathComponent("ports.json")
    }

    /// The remembered ports; empty when the file is missing or unreadable.
    static func load(from stateDirectory: String) -> EmbeddedPortsFile {
        guard let data = FileManager.default.contents(atPath: path(in: stateDirectory)),
              let ports = try? JSONDecoder().decode(EmbeddedPortsFile.self, from: data)
        else { return EmbeddedPortsFile() }
        return ports
    }

    /// Writes the file (atomically).
    func save(to stateDirectory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let path = Self.path(in: stateDirectory)
        do {
            var data = try encoder.encode(self)
            data.append(UInt8(ascii: "\n"))
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw EmbeddedServersError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
