/// One database transaction lent to an operation's closure by ``Database/withUnitOfWork(named:lease:_:)``.
///
/// Every statement is parameterized through ``PostgresQuery``. Lock the rows you will change first
/// (`SELECT … FOR UPDATE OF t`, several rows in id order), load related rows after.
public final class UnitOfWork {
    let connection: PostgresConnection
    /// The operation's name, under which the outcome is recorded.
    public let operation: String
    /// 1 for the first try; higher when a conflict made the closure run again.
    public let attempt: Int

    /// `BEGIN` (and what goes with it) not sent yet: it travels with the first statement, in one
    /// round trip. Empty once the transaction is open.
    private var opening: [PostgresQuery]

    init(connection: PostgresConnection, operation: String, attempt: Int, opening: [PostgresQuery]) {
        self.connection = connection
        self.operation = operation
        self.attempt = attempt
        self.opening = opening
    }

    /// Writes queued by ``executeAtCommit(_:)``, sent in the COMMIT's round trip.
    private(set) var writesAtCommit: [PostgresQuery] = []

    /// True once the transaction has been opened (or has writes waiting to open it).
    var hasBegun: Bool { opening.isEmpty || !writesAtCommit.isEmpty }

    /// The statements still to send before the commit: the opening (if no statement ran yet)
    /// and the queued writes.
    var statementsBeforeCommit: [PostgresQuery] { (opening.isEmpty ? [] : opening) + writesAtCommit }

    /// Queues a write whose result nobody reads, to travel with COMMIT in one round trip. If it
    /// fails, nothing commits and the Unit of Work throws as for a failed COMMIT.
    public func executeAtCommit(_ query: PostgresQuery) {
        writesAtCommit.append(query)
    }

    /// Writes queued by ``executeAfterRollback(_:)``.
    private(set) var writesAfterRollback: [PostgresQuery] = []

    /// Queues a write that records an attempt which is about to fail: it runs on its own, after
    /// the transaction rolled back, only if the Unit of Work ends in an error (an operator refused
    /// for their role is audited this way). If it fails, its error is thrown instead.
    public func executeAfterRollback(_ query: PostgresQuery) {
        writesAfterRollback.append(query)
    }

    /// Runs one statement in the transaction.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        let connection = self.connection
        let opening = self.opening
        defer {
            // Opened once the server is inside the transaction, even if the statement itself failed.
            if !opening.isEmpty && connection.isInTransaction { self.opening = [] }
        }
        return try await ExecutionRecord.roundTrip(opening + [query], kind: .statements, unitOfWork: operation) {
            try await withTaskCancellationHandler {
                if opening.isEmpty { return try await connection.query(query) }
                guard let result = try await connection.pipeline(opening + [query]).last else {
                    throw PostgresError(code: .server, message: "no result for the first statement of \(operation)")
                }
                return result
            } onCancel: {
                connection.cancelRunningStatement()
            }
        }
    }

    /// Runs several statements in order in one round trip (libpq pipeline mode); the first error
    /// is thrown after all were read. For statements that do not depend on each other's results
    /// in Swift — a later one may read what an earlier one locked.
    public func queries(_ queries: [PostgresQuery]) async throws -> [PostgresResult] {
        let connection = self.connection
        let opening = self.opening
        defer {
            if !opening.isEmpty && connection.isInTransaction { self.opening = [] }
        }
        let results = try await ExecutionRecord.roundTrip(opening + queries, kind: .statements, unitOfWork: operation) {
            try await withTaskCancellationHandler {
                try await connection.pipeline(opening + queries)
            } onCancel: {
                connection.cancelRunningStatement()
            }
        }
        return Array(results.suffix(queries.count))
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await self.query(query).affectedRows
    }
}
