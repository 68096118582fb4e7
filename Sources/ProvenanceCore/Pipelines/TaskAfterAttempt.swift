/// What becomes of a task when an attempt of it ends without success: the engine's one rule for it, applied to
/// failed attempts, lost leases (the reaper), given-back leases and cancelled attempts alike. The store's SQL
/// carries the answer out (`PostgresStore.failAttempt`, `reapExpiredLeases`), and the state machine checks each
/// change it makes (`StateMachine.tasks`).
public enum TaskAfterAttempt: Sendable, Equatable {
    /// The attempt was cancelled, its task asked to stop, or its run is being cancelled: the task ends CANCELED.
    case cancel
    /// The task is queued again after `delay`. A lease its executor gave back (it hung up, or shut down past its
    /// grace) is queued at once and does not count as an attempt.
    case retry(delay: Duration, countsAsAttempt: Bool)
    /// No attempt is left: the task ends FAILED, and every task downstream is SKIPPED.
    case fail

    /// Decides for the attempt numbered `number` (1-based) of a task that has made `attemptsMade` attempts of
    /// `attemptsAllowed`, retried as `retries` says.
    public static func decide(
        attempt: AttemptState, number: Int, givenBack: Bool, attemptsMade: Int, attemptsAllowed: Int, runStopping: Bool,
        cancelRequested: Bool, retries: RetryPolicy
    ) -> TaskAfterAttempt {
        if runStopping || cancelRequested || attempt == .canceled { return .cancel }
        if givenBack { return .retry(delay: .zero, countsAsAttempt: false) }
        if attemptsMade < attemptsAllowed { return .retry(delay: retries.delay(after: number), countsAsAttempt: true) }
        return .fail
    }

    /// The task's state afterwards.
    public var taskState: TaskState {
        switch self {
        case .cancel: .canceled
        case .retry: .queued
        case .fail: .failed
        }
    }
}
