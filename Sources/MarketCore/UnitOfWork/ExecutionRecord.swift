import Synchronization

/// One thing an operation ran, as ``ExecutionRecord`` keeps it.
public struct ExecutedStep: Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A distributed lock taken (or taken over).
        case lock
        /// One round trip of statements inside a Unit of Work.
        case statements
        /// The COMMIT's round trip (with the writes and the fence check sent with it).
        case commit
        case rollback
    }

    public var kind: Kind
    /// What ran: `lock auction:bid:7 (redis, fence 12)`, `BEGIN; SELECT mc_op_cancel_auction($1, $2, $3, $4)`,
    /// `SELECT mc_check_fence($1, $2); COMMIT`. Statements keep their `$n` placeholders: a
    /// parameter's value is never recorded.
    public var text: String
    /// The Unit of Work it ran in (its operation name); nil for a lock.
    public var unitOfWork: String?
    /// How long it took (for a lock: the wait for it).
    public var duration: Duration
    /// How it failed, when it did: the error's sentence.
    public var failure: String?
}

/// What an operation ran, recorded while it runs inside ``record(into:_:)``: the locks it took,
/// every round trip of statements of its Units of Work with its duration, and how each Unit of
/// Work ended. The console's command log shows it; tests compare it with the action's plan.
///
/// ```swift
/// let record = ExecutionRecord()
/// try await ExecutionRecord.record(into: record) { try await market.cancelAuction(42, by: request) }
/// print(record.steps.map(\.text))
/// ```
public final class ExecutionRecord: Sendable {
    @TaskLocal static var current: ExecutionRecord?

    private let recorded = Mutex<[ExecutedStep]>([])

    public init() {}

    /// What ran so far, in order.
    public var steps: [ExecutedStep] { recorded.withLock { $0 } }

    /// Runs `body`, recording into `record` what the core runs for it (in this task and the tasks it starts).
    public static func record<T>(into record: ExecutionRecord, _ body: () async throws -> T) async rethrows -> T {
        try await $current.withValue(record) { try await body() }
    }

    func append(_ step: ExecutedStep) {
        recorded.withLock { $0.append(step) }
    }

    /// Runs `send`, one round trip of `queries`, recording it (and how long it took) when a
    /// record is being made.
    static func roundTrip<R>(_ queries: [PostgresQuery], kind: ExecutedStep.Kind, unitOfWork: String,
                             _ send: () async throws -> R) async throws -> R {
        guard let current else { return try await send() }
        let started = ContinuousClock.now
        var step = ExecutedStep(kind: kind, text: queries.map { statementText($0.sql) }.joined(separator: "; "), unitOfWork: unitOfWork,
                                duration: .zero, failure: nil)
        do {
            let result = try await send()
            step.duration = started.duration(to: .now)
            current.append(step)
            return result
        } catch {
            step.duration = started.duration(to: .now)
            step.failure = "\(error)"
            current.append(step)
            throw error
        }
    }

    /// Records a lock taken (`text` names it) after waiting since `requested`.
    static func recordLock(_ text: String, waitedSince requested: ContinuousClock.Instant) {
        current?.append(ExecutedStep(kind: .lock, text: text, unitOfWork: nil, duration: requested.duration(to: .now), failure: nil))
    }

    /// A statement on one line, whitespace collapsed, at most 160 characters.
    static func statementText(_ sql: String) -> String {
        let line = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return line.count > 160 ? String(line.prefix(159)) + "…" : line
    }
}
