/// What a schedule does with the fires it missed while no scheduler ran (every replica down), or while its
/// scheduler was late. A fire counts as missed when the scheduler comes to it more than the scheduler's grace
/// (`--schedule-grace`) after its time.
public enum CatchUpPolicy: String, Sendable, CaseIterable {
    /// Missed fires are skipped (recorded, with the reason); fires on time run.
    case none
    /// The default: of the fires due together, only the latest runs, missed or not; the others are skipped. A model
    /// retrained daily wants one fresh run after an outage, not a backlog.
    case latest
    /// Every missed fire runs, the latest `catch_up_limit` of them; older ones are skipped.
    case all

    /// What the API calls it.
    public var name: String { rawValue }
}

/// What a fire does when `max_concurrency` runs of its schedule are active (PENDING or RUNNING).
public enum OverlapPolicy: String, Sendable, CaseIterable {
    /// The default: the fire is skipped, recorded with the reason.
    case skip
    /// The fire waits (its tick is QUEUED) and runs when an active run ends; at most `maximumQueuedTicks` wait, and
    /// fires past them are skipped.
    case queue
    /// The oldest active runs are cancelled to make room, and the fire runs at once.
    case cancelOldest = "cancel_oldest"

    /// What the API calls it.
    public var name: String { rawValue }

    /// The most ticks one schedule holds QUEUED.
    public static let maximumQueuedTicks = 100
}

/// Where a schedule's tick (one fire, at one nominal time) is. Stored as its number. A tick is born QUEUED and, in
/// the transaction that records it, usually moves on at once: FIRED with its run, or SKIPPED or FAILED with the
/// reason. Under `OverlapPolicy.queue` it stays QUEUED until a run of its schedule ends.
public enum TickState: Int16, Sendable, CaseIterable, Hashable {
    /// Waiting for an active run of its schedule to end.
    case queued = 0
    /// Its run was made.
    case fired = 1
    /// It did not run, for the reason recorded with it (missed, overlapping, over the catch-up limit).
    case skipped = 2
    /// Its run could not be made (the pipeline was deleted, a parameter no longer fits); the reason says why.
    case failed = 3

    /// The state's name in the API.
    public var name: String {
        switch self {
        case .queued: "QUEUED"
        case .fired: "FIRED"
        case .skipped: "SKIPPED"
        case .failed: "FAILED"
        }
    }

    /// Parses a state name in any letter case.
    public init?(name: String) {
        guard let state = Self.allCases.first(where: { $0.name == name.uppercased() }) else { return nil }
        self = state
    }
}

extension TickState: EngineState {
    /// Ticks.
    public static var kind: String { "tick" }
    /// `StateMachine.ticks`.
    public static var table: TransitionTable<TickState> { StateMachine.ticks }
}
