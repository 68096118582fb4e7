/// What recording an attempt's outcome did.
public struct AttemptOutcome: Sendable, Equatable {
    /// How the attempt ended.
    public var attemptState: AttemptState
    /// Where its task is now (queued again for a retry, failed for good, succeeded, ...).
    public var taskState: TaskState
    /// Why the attempt failed, as recorded.
    public var error: String?
    /// The report repeated an outcome already recorded (a client retrying after a lost answer): nothing changed.
    public var repeated: Bool
    /// Tasks queued by this outcome (downstream tasks now ready, or this one for a retry).
    public var queued: Int

    /// Creates a value.
    public init(attemptState: AttemptState, taskState: TaskState, error: String?, repeated: Bool, queued: Int) {
        self.attemptState = attemptState
        self.taskState = taskState
        self.error = error
        self.repeated = repeated
        self.queued = queued
    }
}

/// Whether a lease is still held, as a heartbeat finds it.
public struct LeaseStatus: Sendable, Equatable {
    /// The lease.
    public var token: LeaseToken
    /// When it now expires (microseconds since the epoch); nil if it is no longer held (expired, or the attempt
    /// already ended): the executor must stop the step and report nothing.
    public var leaseExpires: Int64?
    /// The run is being cancelled: the executor should stop the step and report it failed as cancelled.
    public var cancel: Bool

    /// Creates a value.
    public init(token: LeaseToken, leaseExpires: Int64?, cancel: Bool) {
        self.token = token
        self.leaseExpires = leaseExpires
        self.cancel = cancel
    }
}
