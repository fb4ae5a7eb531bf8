import Foundation
import MarketCore

/// Why the embedded servers could not be started: one clear human line that says what to do or which log file to read,
/// e.g. "PostgreSQL binaries not found: install the postgresql package (scripts/install-deps.sh)".
public struct EmbeddedServersError: Error, CustomStringConvertible {
    /// The one-line explanation.
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
