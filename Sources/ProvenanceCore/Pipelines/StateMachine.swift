/// What moves a run, a task or an attempt from one state to another.
public enum EngineEvent: String, Sendable, CaseIterable, Hashable {
    /// The run was submitted (the first entry of its history; no transition).
    case submit
    /// Every upstream task produced its outputs: the task waits for an executor.
    case ready
    /// An executor leased the task (and so its run started).
    case lease
    /// An identical earlier task's outputs were reused (and so its run started).
    case cacheHit = "cache_hit"
    /// The executor reported success.
    case complete
    /// The step failed, or an input could not be found.
    case fail
    /// The lease expired: the executor crashed, was cut off or paused (the reaper found it).
    case lose
    /// The run was cancelled.
    case cancel
    /// An upstream task failed, so the task can never run.
    case skip
    /// A failed or cancelled run was run again, or a failed attempt is tried again.
    case retry
    /// The run's last unfinished task ended.
    case finish
    /// A schedule's tick made its run.
    case fire
}

/// The states of one kind of row the engine moves (runs, tasks, attempts).
public protocol EngineState: Sendable, Hashable, CaseIterable, RawRepresentable where RawValue == Int16 {
    /// The state's name in the API.
    var name: String { get }
    /// What the rows of this kind are called in messages ("run", "task", "attempt").
    static var kind: String { get }
    /// The transitions of this kind of row (one of `StateMachine`'s tables).
    static var table: TransitionTable<Self> { get }
}

extension RunState: EngineState {
    /// Runs.
    public static var kind: String { "run" }
    /// `StateMachine.runs`.
    public static var table: TransitionTable<RunState> { StateMachine.runs }
}

extension TaskState: EngineState {
    /// Tasks.
    public static var kind: String { "task" }
    /// `StateMachine.tasks`.
    public static var table: TransitionTable<TaskState> { StateMachine.tasks }
}

extension AttemptState: EngineState {
    /// Attempts.
    public static var kind: String { "attempt" }
    /// `StateMachine.attempts`.
    public static var table: TransitionTable<AttemptState> { StateMachine.attempts }
}

/// One allowed change of state and the event that causes it.
public struct StateTransition<State: EngineState>: Sendable, Hashable {
    /// The state before.
    public let from: State
    /// The state after.
    public let to: State
    /// What causes it.
    public let event: EngineEvent

    init(_ from: State, _ to: State, on event: EngineEvent) {
        self.from = from
        self.to = to
        self.event = event
    }
}

/// Every state of one kind of row and every allowed transition between them. The engine's state sets (unfinished
/// tasks, active runs, final states) are derived from it, not listed beside it.
public struct TransitionTable<State: EngineState>: Sendable {
    /// The state a new row starts in.
    public let initial: State
    /// Every allowed transition.
    public let transitions: [StateTransition<State>]

    /// The states a row has ended in: none leads anywhere except by `retry`, which starts it over.
    public let finalStates: [State]
    /// The states of a row that has not ended, in state order.
    public let unfinishedStates: [State]

    init(initial: State, _ transitions: [StateTransition<State>]) {
        self.initial = initial
        self.transitions = transitions
        let final = State.allCases.filter { state in transitions.allSatisfy { $0.from != state || $0.event == .retry } }
        finalStates = final
        unfinishedStates = State.allCases.filter { !final.contains($0) }
    }

    /// Checks that `event` may move a row from `from` to `to`; the error names both states and the event.
    public func check(_ from: State, _ to: State, on event: EngineEvent) throws(ProvenanceError) {
        guard allows(from, to, on: event) else {
            throw ProvenanceError(
                .failedPrecondition,
                "a \(State.kind) cannot go from \(from.name) to \(to.name) on \(event.rawValue)")
        }
    }

    /// Whether `event` may move a row from `from` to `to`.
    public func allows(_ from: State, _ to: State, on event: EngineEvent) -> Bool {
        transitions.contains(StateTransition(from, to, on: event))
    }

    /// The states `event` may move a row to `to` from, in state order (what an UPDATE's `WHERE state IN (...)`
    /// takes, so a row in any other state is left as it is).
    public func sources(of to: State, on event: EngineEvent) -> [State] {
        State.allCases.filter { allows($0, to, on: event) }
    }

    /// Whether `state` is final.
    public func isFinal(_ state: State) -> Bool {
        finalStates.contains(state)
    }
}

/// The engine's state machine: the states of runs, tasks and attempts and every allowed transition, in one place.
/// The engine checks each transition it makes against it, and the SQL's state sets and the run's final-state
/// rule are made from it.
public enum StateMachine {
    /// Runs: PENDING until a task starts, RUNNING, CANCELING while a cancel stops running tasks; they end when their
    /// last task ends (see `runOutcome`), and a FAILED or CANCELED run may be retried.
    public static let runs = TransitionTable<RunState>(initial: .pending, [
        .init(.pending, .running, on: .lease), .init(.pending, .running, on: .cacheHit),
        .init(.pending, .canceling, on: .cancel), .init(.running, .canceling, on: .cancel),
        .init(.pending, .succeeded, on: .finish), .init(.pending, .failed, on: .finish),
        .init(.running, .succeeded, on: .finish), .init(.running, .failed, on: .finish),
        .init(.canceling, .canceled, on: .finish),
        .init(.failed, .running, on: .retry), .init(.canceled, .running, on: .retry),
    ])

    /// Tasks: PENDING until their inputs exist, then QUEUED (or CACHED, or FAILED when an input cannot be found),
    /// RUNNING under a lease; a failed or lost attempt with tries left queues the task again. A run's retry starts
    /// its FAILED, SKIPPED and CANCELED tasks over.
    public static let tasks = TransitionTable<TaskState>(initial: .pending, [
        .init(.pending, .queued, on: .ready), .init(.pending, .cached, on: .cacheHit),
        .init(.pending, .failed, on: .fail), .init(.pending, .skipped, on: .skip),
        .init(.pending, .canceled, on: .cancel), .init(.queued, .canceled, on: .cancel),
        .init(.queued, .running, on: .lease),
        .init(.running, .succeeded, on: .complete),
        .init(.running, .queued, on: .fail), .init(.running, .failed, on: .fail),
        .init(.running, .queued, on: .lose), .init(.running, .failed, on: .lose),
        .init(.running, .canceled, on: .cancel),
        .init(.failed, .pending, on: .retry), .init(.skipped, .pending, on: .retry),
        .init(.canceled, .pending, on: .retry),
    ])

    /// Attempts: RUNNING from the lease that made them until the executor's report or the lease's expiry.
    public static let attempts = TransitionTable<AttemptState>(initial: .running, [
        .init(.running, .succeeded, on: .complete), .init(.running, .failed, on: .fail),
        .init(.running, .lost, on: .lose), .init(.running, .canceled, on: .cancel),
    ])

    /// Schedules' ticks: QUEUED until they fire, are skipped or fail (see `TickState`).
    public static let ticks = TransitionTable<TickState>(initial: .queued, [
        .init(.queued, .fired, on: .fire), .init(.queued, .skipped, on: .skip), .init(.queued, .failed, on: .fail),
    ])

    /// The state a run ends in once none of its tasks is unfinished: CANCELED if it was being cancelled, else
    /// FAILED if a task failed or was skipped, else SUCCEEDED.
    public static func runOutcome(canceling: Bool, taskStates: some Sequence<TaskState>) -> RunState {
        if canceling { return .canceled }
        return taskStates.contains(where: failingTaskStates.contains) ? .failed : .succeeded
    }

    /// The task states that make a run that ends FAILED.
    public static let failingTaskStates: [TaskState] = [.failed, .skipped]
}
