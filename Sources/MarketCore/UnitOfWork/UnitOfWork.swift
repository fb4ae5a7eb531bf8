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

    /// True once the transaction has been opened on the server.
    var hasBegun: Bool { opening.isEmpty }

    /// Runs one statement in the transaction.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        let connection = self.connection
        let opening = self.opening
        defer {
            // Opened once the server is inside the transaction, even if the statement itself failed.
            if !opening.isEmpty && connection.isInTransaction { self.opening = [] }
        }
        return try await withTaskCancellationHandler {
            if opening.isEmpty { return try await connection.query(query) }
            guard let result = try await connection.pipeline(opening + [query]).last else {
                throw PostgresError(code: .server, message: "no result for the first statement of \(operation)")
            }
            return result
        } onCancel: {
            connection.cancelRunningStatement()
        }
    }

    /// Runs a statement and returns how many rows it changed.
    @discardableResult
    public func execute(_ query: PostgresQuery) async throws -> Int {
        try await self.query(query).affectedRows
    }
}
