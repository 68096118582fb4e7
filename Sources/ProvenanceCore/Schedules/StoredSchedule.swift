/// A schedule as the store keeps it: the spec its owner wrote, and where it stands.
public struct StoredSchedule: Sendable, Equatable {
    public var id: ScheduleID
    public var spec: ScheduleSpec
    /// How many times it was written (1 at creation).
    public var revision: Int64
    public var paused: Bool
    /// Every fire at or before this instant (microseconds since the epoch) has been decided.
    public var cursor: Int64
    /// The next fire; nil when none is left (past its end time) or while paused.
    public var nextFire: Int64?
    /// How many of its ticks wait for a run to end (`OverlapPolicy.queue`).
    public var queuedTicks: Int
    /// How many of its runs are active (PENDING or RUNNING).
    public var activeRuns: Int
    /// Its latest tick that made a run.
    public var lastFire: ScheduleTick?
    /// Its latest tick, whatever became of it.
    public var lastTick: ScheduleTick?
    public var createTime: Int64
    public var updateTime: Int64

    /// Creates a stored schedule value.
    public init(
        id: ScheduleID, spec: ScheduleSpec, revision: Int64, paused: Bool, cursor: Int64, nextFire: Int64?,
        queuedTicks: Int, activeRuns: Int, lastFire: ScheduleTick?, lastTick: ScheduleTick?, createTime: Int64,
        updateTime: Int64
    ) {
        self.id = id
        self.spec = spec
        self.revision = revision
        self.paused = paused
        self.cursor = cursor
        self.nextFire = nextFire
        self.queuedTicks = queuedTicks
        self.activeRuns = activeRuns
        self.lastFire = lastFire
        self.lastTick = lastTick
        self.createTime = createTime
        self.updateTime = updateTime
    }
}

/// One fire of a schedule, at one nominal time (or for one new artifact), and what became of it.
public struct ScheduleTick: Sendable, Equatable {
    /// The stored id (a page token's tiebreak).
    public var id: Int64
    /// When it was due (for a data trigger, when its artifact arrived), microseconds since the epoch.
    public var nominalTime: Int64
    /// The artifact a data trigger's fire was for.
    public var artifactID: ArtifactID?
    public var state: TickState
    /// Why it was skipped, failed or waits.
    public var reason: String?
    /// The run it made.
    public var runID: RunID?
    /// The schedule's revision that decided it.
    public var revision: Int64
    /// When it was recorded, and when its run was made.
    public var recordTime: Int64
    public var fireTime: Int64?

    /// Creates a tick value.
    public init(
        id: Int64, nominalTime: Int64, artifactID: ArtifactID? = nil, state: TickState, reason: String?, runID: RunID?,
        revision: Int64, recordTime: Int64, fireTime: Int64?
    ) {
        self.id = id
        self.nominalTime = nominalTime
        self.artifactID = artifactID
        self.state = state
        self.reason = reason
        self.runID = runID
        self.revision = revision
        self.recordTime = recordTime
        self.fireTime = fireTime
    }
}
