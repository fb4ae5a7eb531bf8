import Foundation

/// Everything the start-up status screen shows, gathered by the console's refresh task.
public struct StatusState: Sendable, Equatable {
    /// One server line: what it is, where, and whether it answers.
    public struct Server: Sendable, Equatable {
        public var name: String
        public var location: String
        public var healthy: Bool
        public var detail: String

        public init(name: String, location: String, healthy: Bool, detail: String) {
            self.name = name
            self.location = location
            self.healthy = healthy
            self.detail = detail
        }
    }

    /// Unit of Work rates of one operation over the window.
    public struct OperationRate: Sendable, Equatable {
        public var operation: String
        public var commitsPerSecond: Double
        public var rollbacksPerSecond: Double
        public var p50Milliseconds: Double?
        public var p99Milliseconds: Double?

        public init(operation: String, commitsPerSecond: Double, rollbacksPerSecond: Double,
                    p50Milliseconds: Double?, p99Milliseconds: Double?) {
            self.operation = operation
            self.commitsPerSecond = commitsPerSecond
            self.rollbacksPerSecond = rollbacksPerSecond
            self.p50Milliseconds = p50Milliseconds
            self.p99Milliseconds = p99Milliseconds
        }
    }

    public var servers: [Server] = []
    public var embedded: Bool = false
    public var schemaVersion: Int = 0
    public var latestSchemaVersion: Int = 0
    public var lockMode: String = "?"
    public var heldLocks: Int = 0
    public var reportingProcesses: [String] = []
    public var rates: [OperationRate] = []
    public var rateWindowSeconds: Int = 60
    /// Seconds since the data was fetched; nil before the first fetch.
    public var dataAge: Double?
    /// A problem to show at the bottom, e.g. the last refresh error.
    public var problem: String?

    public init() {}
}

/// Renders the status screen: servers, schema, lock mode and UoW rates.
public enum StatusScreen {
    /// The smallest terminal the screen fits in.
    public static let minimumSize = (width: 60, height: 14)

    public static func render(_ state: StatusState, width: Int, height: Int) -> ScreenBuffer {
        var screen = ScreenBuffer(width: width, height: height)
        guard width >= minimumSize.width, height >= minimumSize.height else {
            let message = "enlarge to \(minimumSize.width)×\(minimumSize.height)"
            screen.write(message, column: max(0, (width - message.count) / 2), row: height / 2, role: .warning)
            return screen
        }
        screen.write(" market-console — status", column: 0, row: 0, role: .title)
        let age = state.dataAge.map { String(format: "data %.1fs old ", $0) } ?? "loading… "
        screen.fill(row: 0, role: .title)
        screen.write(age, column: width - age.count, row: 0, role: .title)

        var row = 2
        screen.write(state.embedded ? "SERVERS (embedded)" : "SERVERS", column: 1, row: row, role: .header)
        row += 1
        for server in state.servers {
            screen.write(server.healthy ? "●" : "✖", column: 2, row: row, role: server.healthy ? .good : .critical)
            screen.write(server.name, column: 4, row: row, maxWidth: 11)
            // The location in full where it fits; the detail takes what is left.
            let next = screen.write(server.location, column: 16, row: row, maxWidth: width - 16 - 14)
            screen.write(server.detail, column: next + 2, row: row, role: .dim)
            row += 1
        }
        row += 1
        let schemaRole: StyleRole = state.schemaVersion == state.latestSchemaVersion ? .good : .warning
        screen.write("schema", column: 2, row: row, role: .header)
        screen.write("version \(state.schemaVersion) of \(state.latestSchemaVersion)", column: 12, row: row, role: schemaRole)
        row += 1
        screen.write("locks", column: 2, row: row, role: .header)
        let modeRole: StyleRole = state.lockMode == "redis" ? .good : .critical
        let next = screen.write(state.lockMode, column: 12, row: row, role: modeRole)
        screen.write("· \(state.heldLocks) held · \(state.reportingProcesses.count) process(es) reporting",
                     column: next + 1, row: row, role: .dim)
        row += 2

        screen.write("UNIT OF WORK — last \(state.rateWindowSeconds)s", column: 1, row: row, role: .header)
        row += 1
        let header = pad("operation", 24) + pad("commit/s", 10, right: true) + pad("rollback/s", 12, right: true)
            + pad("p50 ms", 9, right: true) + pad("p99 ms", 9, right: true)
        screen.write(header, column: 2, row: row, role: .dim)
        row += 1
        let lastRow = height - 2
        if state.rates.isEmpty, row < lastRow {
            screen.write("no Units of Work recorded yet", column: 2, row: row, role: .dim)
        }
        for rate in state.rates where row < lastRow {
            let line = pad(rate.operation, 24) + pad(String(format: "%.1f", rate.commitsPerSecond), 10, right: true)
                + pad(String(format: "%.1f", rate.rollbacksPerSecond), 12, right: true)
                + pad(rate.p50Milliseconds.map { String(format: "%.1f", $0) } ?? "–", 9, right: true)
                + pad(rate.p99Milliseconds.map { String(format: "%.1f", $0) } ?? "–", 9, right: true)
            screen.write(line, column: 2, row: row, role: rate.rollbacksPerSecond > rate.commitsPerSecond ? .warning : .normal)
            row += 1
        }
        if let problem = state.problem {
            screen.write(problem, column: 1, row: height - 2, role: .critical)
        }
        screen.write(" q quit", column: 0, row: height - 1, role: .keyHint)
        screen.fill(row: height - 1, role: .keyHint)
        return screen
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let cut = String(text.prefix(width - 1))
        let space = String(repeating: " ", count: max(0, width - cut.count))
        return right ? space + cut : cut + space
    }
}
