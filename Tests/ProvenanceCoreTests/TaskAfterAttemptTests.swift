import ProvenanceCore
import Testing

/// The engine's rule for a task whose attempt ended without success, every branch.
@Suite struct TaskAfterAttemptTests {
    static let retries = RetryPolicy(maxAttempts: 3, backoff: .seconds(2), maxBackoff: .seconds(5))

    static func decide(
        _ attempt: AttemptState = .failed, number: Int = 1, givenBack: Bool = false, made: Int = 1, allowed: Int = 3,
        stopping: Bool = false, cancelRequested: Bool = false
    ) -> TaskAfterAttempt {
        TaskAfterAttempt.decide(
            attempt: attempt, number: number, givenBack: givenBack, attemptsMade: made, attemptsAllowed: allowed,
            runStopping: stopping, cancelRequested: cancelRequested, retries: retries)
    }

    @Test func aFailedAttemptWithAttemptsLeftIsRetriedAfterItsBackoff() {
        #expect(Self.decide(number: 1, made: 1) == .retry(delay: .seconds(2), countsAsAttempt: true))
        #expect(Self.decide(.lost, number: 2, made: 2) == .retry(delay: .seconds(4), countsAsAttempt: true))
    }

    @Test func theLastAttemptFailsTheTask() {
        #expect(Self.decide(number: 3, made: 3) == .fail)
        #expect(Self.decide(.lost, number: 3, made: 3).taskState == .failed)
    }

    @Test func aGivenBackLeaseIsQueuedAtOnceWithoutCounting() {
        #expect(Self.decide(.lost, number: 3, givenBack: true, made: 3) == .retry(delay: .zero, countsAsAttempt: false))
    }

    @Test func stoppingWinsOverEverything() {
        #expect(Self.decide(stopping: true) == .cancel)
        #expect(Self.decide(givenBack: true, cancelRequested: true) == .cancel)
        #expect(Self.decide(.canceled, made: 1) == .cancel)
        #expect(Self.decide(stopping: true).taskState == .canceled)
    }

    @Test func everyAnswerIsATransitionTheStateMachineAllows() {
        // From RUNNING, on the event that ended the attempt.
        #expect(StateMachine.tasks.allows(.running, Self.decide().taskState, on: .fail))
        #expect(StateMachine.tasks.allows(.running, Self.decide(number: 3, made: 3).taskState, on: .fail))
        #expect(StateMachine.tasks.allows(.running, Self.decide(.lost, givenBack: true).taskState, on: .lose))
        #expect(StateMachine.tasks.allows(.running, Self.decide(stopping: true).taskState, on: .cancel))
    }
}
