/// Where a run is. Stored as its number.
public enum RunState: Int16, Sendable, CaseIterable, Hashable {
    /// Accepted; no task has started yet.
    case pending = 0
    /// At least one task has started.
    case running = 1
    /// Every task succeeded or was cached.
    case succeeded = 2
    /// A task failed for good (after its retries) and nothing is left running.
    case failed = 3
    /// Cancel was asked; running tasks are being stopped.
    case canceling = 4
    /// Cancelled, and nothing is left running.
    case canceled = 5

    /// The state's name in the API.
    public var name: String {
        switch self {
        case .pending: "PENDING"
        case .running: "RUNNING"
        case .succeeded: "SUCCEEDED"
        case .failed: "FAILED"
        case .canceling: "CANCELING"
        case .canceled: "CANCELED"
        }
    }

    /// Parses a state name in any letter case.
    public init?(name: String) {
        guard let state = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = state
    }

    /// Whether the run has ended (see `StateMachine.runs`).
    public var isFinal: Bool { StateMachine.runs.isFinal(self) }
}

/// Where a task (one step of one run) is. Stored as its number.
public enum TaskState: Int16, Sendable, CaseIterable, Hashable {
    /// Waiting for its inputs (upstream steps).
    case pending = 0
    /// Ready, waiting for an executor.
    case queued = 1
    /// An executor holds it under a lease.
    case running = 2
    /// Its last attempt succeeded.
    case succeeded = 3
    /// Its last attempt failed and no attempt is left.
    case failed = 4
    /// An identical earlier task's outputs were reused.
    case cached = 5
    /// An upstream task failed, so it never ran.
    case skipped = 6
    /// The run was cancelled first.
    case canceled = 7

    /// The state's name in the API.
    public var name: String {
        switch self {
        case .pending: "PENDING"
        case .queued: "QUEUED"
        case .running: "RUNNING"
        case .succeeded: "SUCCEEDED"
        case .failed: "FAILED"
        case .cached: "CACHED"
        case .skipped: "SKIPPED"
        case .canceled: "CANCELED"
        }
    }

    /// Parses a state name in any letter case.
    public init?(name: String) {
        guard let state = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = state
    }

    /// Whether the task has ended (see `StateMachine.tasks`).
    public var isFinal: Bool { StateMachine.tasks.isFinal(self) }

    /// Whether its outputs exist (downstream tasks may read them).
    public var hasOutputs: Bool { self == .succeeded || self == .cached }
}

/// How one attempt at a task ended (or that it has not).
public enum AttemptState: Int16, Sendable, CaseIterable, Hashable {
    /// An executor holds the lease.
    case running = 0
    /// Completed with its outputs.
    case succeeded = 1
    /// The step failed (non-zero exit, timeout, bad outputs, ...).
    case failed = 2
    /// The lease expired: the executor crashed, was cut off or paused.
    case lost = 3
    /// Stopped because the run was cancelled.
    case canceled = 4

    /// The state's name in the API.
    public var name: String {
        switch self {
        case .running: "RUNNING"
        case .succeeded: "SUCCEEDED"
        case .failed: "FAILED"
        case .lost: "LOST"
        case .canceled: "CANCELED"
        }
    }
}
