import Foundation

/// When a value turns from normal to warning (and critical), per the configuration file.
struct Thresholds: Equatable, Sendable {
    /// A Redis lock held longer is a warning; three times as long, critical.
    var lockAge: TimeInterval = 10
    /// A lease with less than this share left is a warning; under a second, critical.
    var ttlShare: Double = 0.25
    /// A pending transfer older is a warning; twice as old, critical.
    var transferAge: TimeInterval = 120
    /// A PostgreSQL transaction open longer is a warning; three times as long, critical.
    var transactionAge: TimeInterval = 30
}
