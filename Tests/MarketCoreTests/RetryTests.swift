import Testing
@testable import MarketCore

private struct GatewayFailure: RetryClassifiable {
    let retryClassification: RetryClassification
}

@Suite("Retry of external calls")
struct RetryTests {
    @Test func aRetryableFailureIsTriedAgainUntilItSucceeds() async throws {
        let pauses = Ledger<Duration>()
        let result = try await withRetry("ton.send", sleep: { pauses.append($0) }) { attempt -> Int in
            if attempt < 3 { throw GatewayFailure(retryClassification: .retryable) }
            return attempt
        }
        #expect(result == 3)
        #expect(pauses.all.count == 2)
        #expect(pauses.all[0] >= .milliseconds(50) && pauses.all[0] <= .milliseconds(100))
        #expect(pauses.all[1] >= .milliseconds(100) && pauses.all[1] <= .milliseconds(200))
    }

    @Test(arguments: [RetryClassification.definiteFailure, .unknownOutcome])
    func definiteAndUnknownOutcomesAreNotRetried(_ classification: RetryClassification) async throws {
        let attempts = Ledger<Int>()
        let error = await #expect(throws: ExternalCallError.self) {
            try await withRetry("telegram.transfer", sleep: { _ in }) { attempt in
                attempts.append(attempt)
                throw GatewayFailure(retryClassification: classification)
            }
        }
        #expect(attempts.all == [1])
        #expect(error?.classification == classification)
        #expect(error?.rollbackReason == .externalFailure)
    }

    @Test func retriesStopAtTheAttemptLimitAsADefiniteFailure() async throws {
        let attempts = Ledger<Int>()
        let error = await #expect(throws: ExternalCallError.self) {
            try await withRetry("ton.send", sleep: { _ in }) { attempt in
                attempts.append(attempt)
                throw GatewayFailure(retryClassification: .retryable)
            }
        }
        #expect(attempts.all == [1, 2, 3])
        #expect(error?.classification == .definiteFailure)
        #expect(error?.attempts == 3)
    }

    @Test func delaysGrowExponentiallyAndAreCapped() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: 0)
        #expect((1...6).map { policy.delay(afterAttempt: $0) }
                == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }
}
