import CLibPQ
import Foundation
import Synchronization

/// One libpq connection, driven in non-blocking mode by its pool's ``SocketEventLoop``.
///
/// An actor on the loop's executor: every method body runs on the loop's thread, which sends a
/// statement, suspends until the socket has the reply and meanwhile serves the pool's other
/// connections; nothing blocks Swift's cooperative pool. Statements are prepared once per
/// connection and reused, except behind a transaction pooler (``PostgresConfiguration/transactionPooler``),
/// where every statement goes through the unnamed statement and the session settings are set
/// per transaction. Task cancellation during a statement sends `PQcancel`.
package actor PostgresConnection {
    private let loop: SocketEventLoop
    package nonisolated var unownedExecutor: UnownedSerialExecutor { loop.executor.asUnownedSerialExecutor() }
    /// The loop's thread, for work that uses the connection (see ``SocketEventLoop``).
    nonisolated var taskExecutor: any TaskExecutor { loop.executor }

    /// True when `loop` drives this connection.
    nonisolated func runs(on loop: SocketEventLoop) -> Bool { self.loop === loop }

    private let handle: PGConnectionHandle
    private var preparedStatements: [String: String] = [:]
    /// Numbers statement names; never reused, so a dropped statement's name cannot collide.
    private var preparedCount = 0
    /// Prepared statements no longer used, to be deallocated when no transaction is open.
    private var staleStatements: [String] = []
    private static let preparedStatementLimit = 512
    /// Behind a transaction pooler: the statement that opens every transaction's first round
    /// trip with our settings (see ``SessionSettings``); nil when they came with the startup packet.
    private let transactionSettings: SessionSettings?

    /// When the connection was last handed back to its pool (monotonic).
    nonisolated let lastReleased = Mutex<ContinuousClock.Instant>(.now)
    /// libpq's view after the last call, readable without a hop to the loop's thread:
    /// bit 0 = usable, bit 1 = inside a transaction, bit 2 = that transaction failed.
    private nonisolated let status: Atomic<UInt8>

    private init(handle: PGConnectionHandle, loop: SocketEventLoop, transactionSettings: SessionSettings?) {
        self.handle = handle
        self.loop = loop
        self.transactionSettings = transactionSettings
        status = Atomic(Self.status(of: handle.pointer))
    }

    /// Opens a connection served by `loop`; throws `.connectionFailed` with libpq's reason.
    ///
    /// libpq's connect (host lookup, TLS, authentication, `connect_timeout`) blocks, so it runs on
    /// a short-lived thread of its own; everything after it runs on the loop.
    static func connect(_ configuration: PostgresConfiguration, on loop: SocketEventLoop) async throws -> PostgresConnection {
        let handle = await PGConnectionHandle.connect(configuration)
        guard let pointer = handle.pointer, PQstatus(pointer) == CONNECTION_OK, PQsetnonblocking(pointer, 1) == 0 else {
            let reason = handle.pointer.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            handle.close()
            throw PostgresError(code: .connectionFailed, message: "cannot connect to PostgreSQL: \(reason.firstLine)")
        }
        handle.setCancelHandle(PQgetCancel(pointer))
        // Server notices (NOTICE: drop cascades …) would go to stderr and garble the console.
        PQsetNoticeProcessor(pointer, { _, _ in }, nil)
        return PostgresConnection(handle: handle, loop: loop,
                                  transactionSettings: configuration.transactionPooler ? SessionSettings(configuration) : nil)
    }

    /// True when libpq reported the connection as usable after its last call.
    nonisolated var isUsable: Bool { status.load(ordering: .acquiring) & 1 != 0 }

    /// True once a cancel was sent for a statement of this connection. The server acts on a cancel
    /// whenever it arrives, so a late one could stop the next caller's statement: such a
    /// connection is closed, never lent again.
    nonisolated var wasCancelled: Bool { handle.cancelRequested }

    /// True while a transaction is open or aborted on this connection (as of its last call).
    nonisolated var isInTransaction: Bool { status.load(ordering: .acquiring) & 2 != 0 }

    /// True when the open transaction has failed and can only roll back (as of the last call).
    nonisolated var isTransactionFailed: Bool { status.load(ordering: .acquiring) & 4 != 0 }

    /// Publishes libpq's state for the nonisolated readers above.
    private func recordStatus() {
        status.store(Self.status(of: handle.pointer), ordering: .releasing)
    }

    private static func status(of pointer: OpaquePointer?) -> UInt8 {
        guard let pointer else { return 0 }
        let usable: UInt8 = PQstatus(pointer) == CONNECTION_OK ? 1 : 0
        let transaction = PQtransactionStatus(pointer)
        let inTransaction: UInt8 = transaction != PQTRANS_IDLE ? 2 : 0
        let failed: UInt8 = transaction == PQTRANS_INERROR ? 4 : 0
        return usable | inTransaction | failed
    }

    /// Runs one parameterized statement through a per-connection prepared statement.
    package func query(_ query: PostgresQuery) async throws -> PostgresResult {
        do {
            return try await pipeline([query])[0]
        } catch let error as PostgresError where Self.isStalePlan(error) && !isInTransaction {
            // The cached plan went stale (schema changed) and was forgotten: prepare it anew, once.
            return try await pipeline([query])[0]
        }
    }

    /// Runs SQL text without parameters; several statements may be separated by semicolons.
    /// Returns the last statement's result, or throws the first error.
    package func simpleQuery(_ sql: String) async throws -> PostgresResult {
        defer { recordStatus() }
        let connection = try usablePointer()
        handle.statementStarted()
        defer { handle.statementEnded() }
        var sql = sql
        if let transactionSettings, PQtransactionStatus(connection) == PQTRANS_IDLE {
            sql = transactionSettings.prefixing(sql)
        }
        guard PQsendQuery(connection, sql) == 1 else { throw Self.linkError(connection) }
        try await flush(connection)
        var last = PostgresResult(columns: [], rows: [], affectedRows: 0)
        var firstError: PostgresError?
        while let result = try await nextResult(connection) {
            do {
                last = try Self.consume(result, connection: connection)
            } catch let error as PostgresError {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return last
    }

    /// Sends several parameterized statements in one round trip (libpq pipeline mode), each
    /// through this connection's prepared statement for its text (prepared in the same round
    /// trip the first time), so the server parses and plans a hot statement once per connection.
    ///
    /// After the first failing statement the rest are skipped by the server; that first error is
    /// thrown once every result has been read, so the connection is left ready for `ROLLBACK`.
    func pipeline(_ queries: [PostgresQuery]) async throws -> [PostgresResult] {
        defer { recordStatus() }
        let connection = try usablePointer()
        try await deallocateStaleStatements(on: connection)
        let opensTransaction = PQtransactionStatus(connection) == PQTRANS_IDLE
        handle.statementStarted()
        defer { handle.statementEnded() }
        guard PQenterPipelineMode(connection) == 1 else {
            throw PostgresError(code: .server, message: "cannot enter pipeline mode: \(String(cString: PQerrorMessage(connection)).firstLine)")
        }
        defer { _ = PQexitPipelineMode(connection) }
        var steps: [PipelineStep] = []
        steps.reserveCapacity(queries.count + 1)
        // Statements up to the sync run in one transaction (or open one): the settings hold for all of
        // them. After a leading BEGIN, whose options (an isolation level) must come before any query.
        var sending: [PostgresQuery?] = queries
        if let transactionSettings, opensTransaction {
            sending.insert(nil, at: queries.first.map { SessionSettings.isBegin($0.sql) } == true ? 1 : 0)
            for query in sending {
                guard let query else {
                    _ = try sendPipelined(transactionSettings.transactionStatement, on: connection)
                    steps.append(.settings)
                    continue
                }
                let step = try sendPipelined(query, on: connection)
                steps.append(.execute(sql: query.sql, name: step.name))
            }
        } else {
            for query in queries {
                let step = try sendPipelined(query, on: connection)
                if let prepare = step.prepare { steps.append(.prepare(sql: query.sql, name: prepare)) }
                steps.append(.execute(sql: query.sql, name: step.name))
            }
        }
        guard PQpipelineSync(connection) == 1 else { throw Self.linkError(connection) }
        try await flush(connection)
        var results: [PostgresResult] = []
        var firstError: PostgresError?
        for step in steps {
            var prepared = false
            while let result = try await nextResult(connection) {
                if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                    PQclear(result)
                    continue
                }
                do {
                    let decoded = try Self.consume(result, connection: connection)
                    switch step {
                    case .prepare: prepared = true
                    case .execute: results.append(decoded)
                    case .settings: break
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
            guard let result = try await nextResult(connection) else {
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

    /// Waits until libpq has sent everything queued; the socket can be full while the server is
    /// busy writing to us, so what arrives meanwhile is read in.
    private func flush(_ connection: OpaquePointer) async throws {
        while true {
            let flushed = PQflush(connection)
            if flushed == 0 { return }
            if flushed < 0 { throw Self.linkError(connection) }
            await waitForSocket(of: connection, events: Int16(POLLOUT) | Int16(POLLIN))
            guard PQconsumeInput(connection) == 1 else { throw Self.linkError(connection) }
        }
    }

    /// Suspends, staying isolated to this connection, until the loop sees `events` on its socket.
    private func waitForSocket(of connection: OpaquePointer, events: Int16) async {
        let socket = PQsocket(connection)
        // No socket (the link is gone): nothing to wait for; libpq's next call reports why.
        guard socket >= 0 else { return }
        await withUnsafeContinuation { loop.executor.watch(socket, events: events, resuming: $0) }
    }

    /// The next result, suspending (never blocking) until it has arrived whole; nil at the end of
    /// a statement's results, as `PQgetResult`.
    private func nextResult(_ connection: OpaquePointer) async throws -> OpaquePointer? {
        while PQisBusy(connection) == 1 {
            // Over TLS, a record read in part stays decrypted inside OpenSSL where poll cannot see
            // it: read again first (a record is at most 16 kB, libpq reads at least 8 kB at once).
            if PQsslInUse(connection) == 1 {
                for _ in 0..<2 where PQisBusy(connection) == 1 {
                    guard PQconsumeInput(connection) == 1 else { throw Self.linkError(connection) }
                }
                if PQisBusy(connection) == 0 { break }
            }
            await waitForSocket(of: connection, events: Int16(POLLIN))
            guard PQconsumeInput(connection) == 1 else { throw Self.linkError(connection) }
        }
        return PQgetResult(connection)
    }

    /// What one pipelined statement put on the wire, in the order its results come back.
    private enum PipelineStep {
        /// `Parse` of a statement new to this connection; its name is kept once the server accepted it.
        case prepare(sql: String, name: String)
        /// The statement itself: through `name` when prepared, else through the unnamed statement.
        case execute(sql: String, name: String?)
        /// The transaction's settings behind a pooler; its result is nobody's.
        case settings
    }

    /// Queues one statement in pipeline mode: through its prepared statement, preparing it first
    /// when it is new (and the per-connection limit allows).
    private func sendPipelined(_ query: PostgresQuery, on connection: OpaquePointer) throws -> (name: String?, prepare: String?) {
        var name = preparedStatements[query.sql]
        var prepare: String?
        // Behind a pooler the next transaction may run on another session, which has no such statement.
        if name == nil, transactionSettings == nil, preparedStatements.count < Self.preparedStatementLimit {
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
    private func deallocateStaleStatements(on connection: OpaquePointer) async throws {
        guard !staleStatements.isEmpty, PQtransactionStatus(connection) == PQTRANS_IDLE else { return }
        let names = staleStatements
        staleStatements.removeAll()
        _ = try? await simpleQuery(names.map { "DEALLOCATE \($0)" }.joined(separator: "; "))
    }

    /// A statement name never used on this connection.
    private func nextStatementName() -> String {
        preparedCount += 1
        return "mc\(preparedCount)"
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
/// `@unchecked Sendable`: `pointer` and `statementCount` are set by the connecting thread and then
/// only used on the owning connection's loop (the actor's executor); the cancel handle is guarded
/// by a lock, `runningStatement` is atomic, and `PQcancel` is thread-safe by libpq's contract.
final class PGConnectionHandle: @unchecked Sendable {
    var pointer: OpaquePointer?
    private let cancelLock = NSLock()
    private var cancelHandle: PGCancelHandle?
    /// The number of the statement running now, 0 when none: no cancel is sent once it ended.
    private let runningStatement = Atomic<UInt64>(0)
    private var statementCount: UInt64 = 0
    private let cancelSent = Atomic<Bool>(false)

    /// True once `cancel()` found a statement running and sent (or is sending) a cancel for it.
    var cancelRequested: Bool { cancelSent.load(ordering: .acquiring) }

    /// Connects with libpq's blocking connect on a thread of its own; check `pointer`'s status.
    static func connect(_ configuration: PostgresConfiguration) async -> PGConnectionHandle {
        var parameters: [(String, String)] = [
            ("dbname", configuration.url),
            ("application_name", configuration.applicationName),
            ("connect_timeout", String(configuration.connectTimeoutSeconds)),
        ]
        // A pooler refuses `options` (PgBouncer: "unsupported startup parameter"); the settings then go per transaction.
        if !configuration.transactionPooler { parameters.append(("options", SessionSettings(configuration).startupOptions)) }
        let pairs = parameters
        return await withCheckedContinuation { continuation in
            Thread.start(named: "pg-connect") {
                let handle = PGConnectionHandle()
                handle.pointer = withCStrings(pairs.map(\.0)) { keywords in
                    withCStrings(pairs.map(\.1)) { values in
                        PQconnectdbParams(keywords, values, 1)
                    }
                }
                continuation.resume(returning: handle)
            }
        }
    }

    func setCancelHandle(_ handle: OpaquePointer?) {
        cancelLock.withLock { cancelHandle = handle.map(PGCancelHandle.init) }
    }

    /// Marks a statement as sent (on the connection's loop).
    func statementStarted() {
        statementCount &+= 1
        runningStatement.store(statementCount, ordering: .releasing)
    }

    /// Marks the statement as done (on the connection's loop).
    func statementEnded() {
        runningStatement.store(0, ordering: .releasing)
    }

    /// Asks the server to cancel the running statement, if one is. `PQcancel` opens a connection
    /// of its own and waits for the server, so it runs on a short-lived thread: the caller may be a
    /// loop, and closing the connection meanwhile does not wait for it.
    ///
    /// The server cancels whatever the session runs when the request arrives, which may already
    /// be a later statement: the connection is marked (`cancelRequested`) so the pool closes it.
    func cancel() {
        let target = runningStatement.load(ordering: .acquiring)
        guard target != 0, let canceller = cancelLock.withLock({ cancelHandle }) else { return }
        cancelSent.store(true, ordering: .releasing)
        Thread.start(named: "pg-cancel") { [self] in
            // The statement may have ended while the thread started: the next one is not to be cancelled.
            guard runningStatement.load(ordering: .acquiring) == target else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(canceller.pointer, &buffer, Int32(buffer.count))
        }
    }

    func close() {
        cancelLock.withLock { cancelHandle = nil }
        if let pointer { PQfinish(pointer) }
        pointer = nil
    }

    deinit { close() }
}

/// A `PGcancel*`, freed when the connection and every cancel in flight are done with it.
/// `@unchecked Sendable`: `PQcancel` on it is thread-safe by libpq's contract.
final class PGCancelHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit { PQfreeCancel(pointer) }
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
