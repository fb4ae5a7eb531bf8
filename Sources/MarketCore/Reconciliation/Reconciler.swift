import Synchronization

/// What one reconciler pass did.
public struct ReconcilePass: Sendable, Equatable {
    /// Rows it settled on the gateway's evidence.
    public var resolved = 0
    /// Rows it asked about and left pending: the gateway did not say, or could not be asked.
    public var left = 0
    /// Rows someone else settled or touched between the reconciler's read and its settlement.
    public var alreadyMoved = 0
    /// Why the last row that could not be asked about or settled was left, if one was.
    public var lastError: String?

    public init() {}

    mutating func merge(_ other: ReconcilePass) {
        resolved += other.resolved
        left += other.left
        alreadyMoved += other.alreadyMoved
        lastError = other.lastError ?? lastError
    }
}

/// Drives pending channel transfers and withdrawals whose gateway call ended "unknown" to a final
/// state: asks Telegram or TON what happened to the request (with retry and backoff), and settles
/// what the gateway shows through the market's locked, audited reconciler operations
/// (``Market/reconcileTransfer(_:channel:expectedVersion:moved:evidence:)``,
/// ``Market/reconcileWithdrawal(_:user:expectedVersion:evidence:)``). It never guesses: a row the
/// gateway does not answer for stays pending, its ask counted as an attempt, for the next pass or
/// an operator. The market must connect as a login in `market_reconciler`.
///
/// Several reconcilers may run at once: each settlement takes the row's lock and names the
/// version read, so a row is settled once and the others see ``ReconcileOutcome/alreadyMoved(_:)``.
public struct Reconciler: Sendable {
    public let market: Market
    /// Retries of one status query that failed (the gateway unavailable).
    public var queryRetry: RetryPolicy
    /// Rows asked about per pass, of each kind.
    public var batch: Int
    /// Status queries in flight at once.
    public var parallelism: Int
    /// A pending row with no recorded attempt is left to its own process this long (seconds).
    public var staleAfter: Int

    public init(market: Market, queryRetry: RetryPolicy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(50), maxDelay: .seconds(1)),
                batch: Int = 500, parallelism: Int = 4, staleAfter: Int = 300) {
        self.market = market
        self.queryRetry = queryRetry
        self.batch = max(1, batch)
        self.parallelism = max(1, parallelism)
        self.staleAfter = staleAfter
    }

    /// One pass over the rows whose next ask is due (every unknown one when `ignoringBackoff`).
    public func pass(ignoringBackoff: Bool = false) async throws -> ReconcilePass {
        let due = try await UnknownOutcome.due(on: market.services.pool, limit: batch, staleAfter: staleAfter,
                                               ignoringBackoff: ignoringBackoff)
        let cursor = PassCursor()
        return try await withThrowingTaskGroup(of: ReconcilePass.self) { group in
            for _ in 0..<min(parallelism, due.count) {
                group.addTask {
                    var mine = ReconcilePass()
                    while !Task.isCancelled {
                        let index = cursor.next.add(1, ordering: .relaxed).oldValue
                        guard index < due.count else { break }
                        mine.merge(try await reconcile(due[index]))
                    }
                    return mine
                }
            }
            return try await group.reduce(into: ReconcilePass()) { $0.merge($1) }
        }
    }

    /// Runs passes until the task is cancelled, pausing `interval` between them; `report` gets
    /// each pass that did something, and each that failed (its error in ``ReconcilePass/lastError``):
    /// a failed pass (the database unreachable, say) is tried again after the pause.
    public func run(interval: Duration = .seconds(1), report: @Sendable (ReconcilePass) -> Void = { _ in }) async throws {
        while !Task.isCancelled {
            do {
                let done = try await pass()
                if done.resolved + done.left + done.alreadyMoved > 0 { report(done) }
            } catch is CancellationError {
                return
            } catch {
                var failed = ReconcilePass()
                failed.lastError = "the pass failed: \(error)"
                report(failed)
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    /// Asks about one row and settles it on what the gateway shows. A row that cannot be settled
    /// now (the gateway not answering, its lock busy, the database refusing) is left pending and
    /// counted in ``ReconcilePass/left``; only cancellation ends the pass.
    func reconcile(_ row: UnknownOutcome) async throws -> ReconcilePass {
        var result = ReconcilePass()
        do {
            let status: GatewayRequestStatus
            do {
                status = try await ask(row)
            } catch let error as ExternalCallError {
                status = .unknown("could not ask: \(error.underlying)")
            }
            let outcome: ReconcileOutcome
            switch (status, row.kind) {
            case (.done(let evidence), .channel) where evidence.channelOwner == row.user:
                outcome = try await settle(row, happened: true, evidence: evidence)
            case (.done(let evidence), .withdrawal) where evidence.transactionHash != nil:
                outcome = try await settle(row, happened: true, evidence: evidence)
            case (.done(let evidence), _):
                return try await leave(row, "the answer is not evidence enough (\(evidence.description))")
            case (.neverDone(let evidence), _):
                outcome = try await settle(row, happened: false, evidence: evidence)
            case (.unknown(let why), _):
                return try await leave(row, why)
            }
            switch outcome {
            case .settled: result.resolved = 1
            case .alreadyMoved: result.alreadyMoved = 1
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            result.left = 1
            result.lastError = "\(row.name): \(error)"
        }
        return result
    }

    /// The row stays pending: the ask is noted on it (unless it moved on meanwhile).
    private func leave(_ row: UnknownOutcome, _ why: String) async throws -> ReconcilePass {
        var result = ReconcilePass()
        let gateway = row.kind == .channel ? "Telegram" : "TON"
        if try await market.noteUnknown(row.kind, id: row.id, expectedVersion: row.version, note: "\(gateway): \(why)") {
            result.left = 1
        } else {
            result.alreadyMoved = 1
        }
        return result
    }

    private func ask(_ row: UnknownOutcome) async throws -> GatewayRequestStatus {
        let gateways = market.gateways
        return try await withRetry("status of \(row.name)", policy: queryRetry) { _ in
            switch row.kind {
            case .channel:
                try await gateways.telegram.transferStatus(channel: row.telegramChannel ?? 0, to: row.user, idempotencyKey: row.gatewayKey)
            case .withdrawal:
                try await gateways.ton.payoutStatus(idempotencyKey: row.gatewayKey)
            }
        }
    }

    private func settle(_ row: UnknownOutcome, happened: Bool, evidence: GatewayEvidence) async throws -> ReconcileOutcome {
        switch row.kind {
        case .channel:
            try await market.reconcileTransfer(row.id, channel: row.channel ?? 0, expectedVersion: row.version, moved: happened,
                                               evidence: evidence)
        case .withdrawal:
            try await market.reconcileWithdrawal(row.id, user: row.user, expectedVersion: row.version,
                                                 evidence: happened ? evidence : GatewayEvidence(description: evidence.description))
        }
    }
}

/// The next row of a pass to take, shared by its workers.
private final class PassCursor: Sendable {
    let next = Atomic<Int>(0)
}
