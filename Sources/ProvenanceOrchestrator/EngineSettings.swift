import ProvenanceCore

/// How the engine leases tasks to executors.
public struct EngineSettings: Sendable, Equatable {
    /// How long a lease lasts without a heartbeat; an executor that stops renewing its leases (crashed, cut off,
    /// paused) loses its tasks this long after its last heartbeat.
    public var leaseDuration: Duration = .seconds(30)
    /// The longest a lease request waits for a task before it is answered with none.
    public var longPollLimit: Duration = .seconds(30)
    /// How often every replica looks for expired leases and for retries whose backoff ended.
    public var reaperInterval: Duration = .seconds(1)
    /// The most expired leases one reaper transaction ends (it goes on in further transactions while any are left).
    public var reapBatch = 100
    /// What finished runs leave behind, and how long it is kept.
    public var retention = RetentionPolicy()
    /// How often every replica applies `retention` (one at a time).
    public var retentionInterval: Duration = .seconds(600)

    /// How often every replica looks for due schedules (a fire due, or a queued one with room).
    public var scheduleInterval: Duration = .seconds(1)
    /// How late a fire may be made and still count as on time; a fire found later than this counts as missed
    /// (what `catch_up` decides about).
    public var scheduleGrace: Duration = .seconds(60)
    /// The most due schedules one look of the scheduler takes.
    public var scheduleBatch = 200
    /// How many schedules one replica's scheduler looks at at once.
    public var scheduleConcurrency = 4

    /// The defaults.
    public init() {}

    /// How often executors are told to heartbeat: a third of the lease, so two heartbeats may be lost.
    public var heartbeatInterval: Duration { leaseDuration / 3 }
}
