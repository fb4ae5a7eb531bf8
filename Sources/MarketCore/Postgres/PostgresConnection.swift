import CLibPQ
import Foundation
import Synchronization

/// One libpq connection whose calls all run on a thread of its own.
///
/// An actor on a ``DedicatedThreadExecutor``: every method body runs on the connection's thread,
/// so libpq's blocking calls never touch Swift's cooperative pool. Statements are prepared once
/// per connection and reused. Task cancellation during a statement sends `PQcancel`.
actor PostgresConnection {
    private let executor: DedicatedThreadExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    /// The connection's thread, for work that should run beside it (see ``DedicatedThreadExecutor``).
    nonisolated var taskExecutor: any TaskExecutor { executor }

    private let handle: PGConnectionHandle
    private var preparedStatements: [String: String] = [:]
    /// Numbers statement names; never reused, so a dropped statement's name cannot collide.
    private var preparedCount = 0
    /// Prepared statements no longer used, to be deallocated when no transaction is open.
    private var staleStatements: [String] = []
    private static let preparedStatementLimit = 512

    /// When the connection was last handed back to its pool (monotonic).
    nonisolated let lastReleased = Mutex<ContinuousClock.Instant>(.now)
    /// libpq's view after the last call, readable without a hop to the connection's thread:
    /// bit 0 = usable, bit 1 = inside a transaction, bit 2 = that transaction failed.
    private nonisolated let status = Atomic<UInt8>(0)

    private init(handle: PGConnectionHandle, executor: DedicatedThreadExecutor) {
        self.handle = handle
        self.executor = executor
    }

    deinit {
        executor.shutdown()
    }

    /// Opens a connection on a new thread; throws `.connectionFailed` with libpq's reason.
    static func connect(_ configuration: PostgresConfiguration, label: String) async throws -> PostgresConnection {
        let executor = DedicatedThreadExecutor(name: "pg-\(label)")
        let handle = PGConnectionHandle()
        let connection = PostgresConnection(handle: handle, executor: executor)
        try await connection.open(configuration)
        return connection
    }

    private func open(_ configuration: PostgresConfiguration) throws {
        var options = "-c TimeZone=UTC -c DateStyle=ISO"
        if let schema = configuration.schema { options += " -c search_path=\(schema),public" }
        let pairs: [(String, String)] = [
            ("dbname", configuration.url),
            ("application_name", configuration.applicationName),
            ("options", options),
            ("connect_timeout", String(configuration.connectTimeoutSeconds)),
        ]
        let connection = withCStrings(pairs.map(\.0)) { keywords in
            withCStrings(pairs.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        handle.pointer = connection
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let reason = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            throw PostgresError(code: .connectionFailed,
                                message: "cannot connect to PostgreSQL: \(reason.firstLine)")
        }
        handle.setCancelHandle(PQgetCancel(connection))
        // Server notices (NOTICE: drop cascades …) would go to stderr and garble the console.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        recordStatus()
    }

    /// True when libpq reported the connection as usable after its last call.
    nonisolated var isUsable: Bool { status.load(ordering: .acquiring) & 1 != 0 }

    /// True while a transaction is open or aborted on this connection (as of its last call).
    nonisolated var isInTransaction: Bool { status.load(ordering: .acquiring) & 2 != 0 }

    /// True when the open transaction has failed and can only roll back (as of the last call).
    nonisolated var isTransactionFailed: Bool { status.load(ordering: .acquiring) & 4 != 0 }

    /// Publishes libpq's state for the nonisolated readers above.
    private func recordStatus() {
        guard let pointer = handle.pointer else {
            status.store(0, ordering: .releasing)
            return
        }
        let usable: UInt8 = PQstatus(pointer) == CONNECTION_OK ? 1 : 0
        let transaction = PQtransactionStatus(pointer)
        let inTransaction: UInt8 = transaction != PQTRANS_IDLE ? 2 : 0
        let failed: UInt8 = transaction == PQTRANS_INERROR ? 4 : 0
        status.store(usable | inTransaction | failed, ordering: .releasing)
    }

    /// Runs one parameterized statement through a per-connection prepared statement.
    func query(_ query: PostgresQuery) throws -> PostgresResult {
        defer { recordStatus() }
        let connection = try usablePointer()
        deallocateStaleStatements(on: connection)
        if let name = try preparedName(for: query.sql, on: connection) {
            let result = withOptionalCStrings(query.binds) { values in
                PQexecPrepared(connection, name, Int32(query.binds.count), values, nil, nil, 0)
            }
            do {
                return try Self.consume(result, connection: connection)
            } catch let error as PostgresError where Self.isStalePlan(error) {
                // The cached plan went stale (schema changed): forget it; retry once outside a transaction.
                forgetPrepared(query.sql, name: name)
                guard PQtransactionStatus(connection) == PQTRANS_IDLE else { throw error }
                deallocateStaleStatements(on: connection)
            }
        }
        let result = withOptionalCStrings(query.binds) { values in
            PQexecParams(connection, query.sql, Int32(query.binds.count), nil, values, nil, nil, 0)
        }
        return try Self.consume(result, connection: connection)
    }

    /// Runs SQL text without parameters; several statements may be separated by semicolons.
    func simpleQuery(_ sql: String) throws -> PostgresResult {
        defer { recordStatus() }
        let connection = try usablePointer()
        return try Self.consume(PQexec(connection, sql), connection: connection)
    }

    /// Sends several parameterized statements in one round trip (libpq pipeline mode), each
    /// through this connection's prepared statement for its text (prepared in the same round
    /// trip the first time), so the server parses and plans a hot statement once per connection.
    ///
    /// After the first failing statement the rest are skipped by the server; that first error is
    /// thrown once every result has been read, so the connection is left ready for `ROLLBACK`.
    func pipeline(_ queries: [PostgresQuery]) throws -> [PostgresResult] {
        defer { recordStatus() }
        let connection = try usablePointer()
        deallocateStaleStatements(on: connection)
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(code: .server, message: "cannot enter pipeline mode: \(String(cString: PQerrorMessage(connection)).firstLine)")
        }
        defer { _ = PQexitPipelineMode(connection) }
        var steps: [PipelineStep] = []
        steps.reserveCapacity(queries.count)
        for query in queries {
            let step = try sendPipelined(query, on: connection)
            if let prepare = step.prepare { steps.append(.prepare(sql: query.sql, name: prepare)) }
            steps.append(.execute(sql: query.sql, name: step.name))
        }
        guard PQpipelineSync(connection) == 1 else { throw Self.linkError(connection) }
        var results: [PostgresResult] = []
        var firstError: PostgresError?
        for step in steps {
            var prepared = false
            while let result = PQgetResult(connection) {
                if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                    PQclear(result)
                    continue
                }
                do {
                    let decoded = try Self.consume(result, connection: connection)
                    switch step {
                    case .prepare: prepared = true
                    case .execute: results.append(decoded)
                    }
                } catch let error as PostgresError {
                    firstError = firstError ?? error
                    if case .execute(let sql, let name?) = step, Self.isStalePlan(error) { forgetPrepared(sql, name: name) }
                }
            }
            if case .prepare(let sql, let name) = step, prepared { preparedStatements[sql] = name }
            if PQstatus(connection) != CONNECTION_OK { throw firstError ?? Self.linkError(connection) }
        }
        var emptyReads = 0
        while emptyReads < 3 {
            guard let result = PQgetResult(connection) else {
                emptyReads += 1
                continue
            }
            let status = PQresultStatus(result)
            PQclear(result)
            if status == PGRES_PIPELINE_SYNC { break }
        }
        if let firstError { throw firstError }
        return results
    }

    /// What one pipelined statement put on the wire, in the order its results come back.
    private enum PipelineStep {
        /// `Parse` of a statement new to this connection; its name is kept once the server accepted it.
        case prepare(sql: String, name: String)
        /// The statement itself: through `name` when prepared, else through the unnamed statement.
        case execute(sql: String, name: String?)
    }

    /// Queues one statement in pipeline mode: through its prepared statement, preparing it first
    /// when it is new (and the per-connection limit allows).
    private func sendPipelined(_ query: PostgresQuery, on connection: OpaquePointer) throws -> (name: String?, prepare: String?) {
        var name = preparedStatements[query.sql]
        var prepare: String?
        if name == nil, preparedStatements.count < Self.preparedStatementLimit {
            name = nextStatementName()
            prepare = name
            guard PQsendPrepare(connection, name, query.sql, 0, nil) == 1 else { throw Self.linkError(connection) }
        }
        let sent = withOptionalCStrings(query.binds) { values in
            if let name {
                PQsendQueryPrepared(connection, name, Int32(query.binds.count), values, nil, nil, 0)
            } else {
                PQsendQueryParams(connection, query.sql, Int32(query.binds.count), nil, values, nil, nil, 0)
            }
        }
        guard sent == 1 else { throw Self.linkError(connection) }
        return (name, prepare)
    }

    private static func linkError(_ connection: OpaquePointer) -> PostgresError {
        PostgresError(sqlState: nil, message: String(cString: PQerrorMessage(connection)).firstLine, detail: nil,
                      connectionLost: PQstatus(connection) != CONNECTION_OK)
    }

    /// Closes the libpq connection now; later calls fail with `.connectionLost`.
    func close() {
        handle.close()
        recordStatus()
    }

    /// Asks the server to cancel whatever this connection is running. Safe from any thread.
    nonisolated func cancelRunningStatement() {
        handle.cancel()
    }

    private func usablePointer() throws -> OpaquePointer {
        guard let pointer = handle.pointer, PQstatus(pointer) == CONNECTION_OK else {
            throw PostgresError(code: .connectionLost, message: "the connection to PostgreSQL is closed")
        }
        return pointer
    }

    /// A prepared statement the server no longer accepts (`26000`: gone; `0A000`: its cached plan
    /// no longer fits the schema).
    private static func isStalePlan(_ error: PostgresError) -> Bool {
        error.sqlState == "26000" || error.sqlState == "0A000"
    }

    /// Stops using a prepared statement; the server drops it once no transaction is open.
    private func forgetPrepared(_ sql: String, name: String) {
        guard preparedStatements[sql] == name else { return }
        preparedStatements[sql] = nil
        staleStatements.append(name)
    }

    /// `DEALLOCATE`s forgotten statements while the connection is idle (an open transaction might
    /// be aborted, where nothing but `ROLLBACK` runs).
    private func deallocateStaleStatements(on connection: OpaquePointer) {
        guard !staleStatements.isEmpty, PQtransactionStatus(connection) == PQTRANS_IDLE else { return }
        for name in staleStatements { PQclear(PQexec(connection, "DEALLOCATE \(name)")) }
        staleStatements.removeAll()
    }

    /// A statement name never used on this connection.
    private func nextStatementName() -> String {
        preparedCount += 1
        return "mc\(preparedCount)"
    }

    private func preparedName(for sql: String, on connection: OpaquePointer) throws -> String? {
        if let name = preparedStatements[sql] { return name }
        guard preparedStatements.count < Self.preparedStatementLimit else { return nil }
        let name = nextStatementName()
        _ = try Self.consume(PQprepare(connection, name, sql, 0, nil), connection: connection)
        preparedStatements[sql] = name
        return name
    }

    private static func consume(_ result: OpaquePointer?, connection: OpaquePointer) throws -> PostgresResult {
        guard let result else {
            throw PostgresError(sqlState: nil, message: String(cString: PQerrorMessage(connection)).firstLine,
                                detail: nil, connectionLost: PQstatus(connection) != CONNECTION_OK)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return decodeRows(result)
        default:
            let field = { (code: Int32) -> String? in
                PQresultErrorField(result, code).map { String(cString: $0) }
            }
            let message = field(clibpq_diag_message_primary())
                ?? String(cString: PQresultErrorMessage(result)).firstLine
            throw PostgresError(sqlState: field(clibpq_diag_sqlstate()), message: message,
                                detail: field(clibpq_diag_message_detail()),
                                connectionLost: PQstatus(connection) != CONNECTION_OK)
        }
    }

    private static func decodeRows(_ result: OpaquePointer) -> PostgresResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [PostgresRow] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(PostgresRow(columns: columns, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresResult(columns: columns, rows: rows, affectedRows: affected)
    }
}

/// Owns a `PGconn*` and its `PGcancel*`.
///
/// `@unchecked Sendable`: `pointer` is only used on the owning connection's thread (the actor's
/// executor); the cancel handle is guarded by a lock and `PQcancel` is thread-safe by libpq's contract.
final class PGConnectionHandle: @unchecked Sendable {
    var pointer: OpaquePointer?
    private let cancelLock = NSLock()
    private var cancelHandle: OpaquePointer?

    func setCancelHandle(_ handle: OpaquePointer?) {
        cancelLock.withLock { cancelHandle = handle }
    }

    func cancel() {
        cancelLock.withLock {
            guard let cancelHandle else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
        }
    }

    func close() {
        cancelLock.withLock {
            if let cancelHandle { PQfreeCancel(cancelHandle) }
            cancelHandle = nil
        }
        if let pointer { PQfinish(pointer) }
        pointer = nil
    }

    deinit { close() }
}

extension String {
    /// The first line without trailing whitespace: libpq messages end in newlines.
    var firstLine: String {
        let line = split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? self
        var trimmed = Substring(line)
        while let last = trimmed.last, last == " " || last == "\r" { trimmed.removeLast() }
        return String(trimmed)
    }
}

/// Calls `body` with a NULL-free C array of C strings that live for the call.
func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    withOptionalCStrings(strings.map { Optional($0) }) { pointers in
        body(pointers + [nil])
    }
}

/// Calls `body` with C strings for `strings`, `nil` staying a NULL pointer.
func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let owned: [UnsafeMutablePointer<CChar>?] = strings.map { $0.map { strdup($0) } ?? nil }
    defer { owned.forEach { free($0) } }
    return body(owned.map { UnsafePointer($0) })
}
