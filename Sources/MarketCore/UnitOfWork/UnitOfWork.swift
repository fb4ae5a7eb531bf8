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

    init(connection: PostgresConnection, operation: String, attempt: Int) {
        self.connection = connection
        self.operation = operation
        self.attempt = attempt
    }

    /// Runs one statement in the transaction.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresResult {
        let connection = self.connection
        return try await withTaskCancellationHandler {
            try await connection.query(query)
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
