/// How long the engine keeps what finished runs leave behind. Each limit counts from when the run (or the attempt)
/// ended; nil keeps it for ever. The lineage a run recorded (its executions, artifacts and context) is never
/// removed by retention: that is the record the server exists to keep.
public struct RetentionPolicy: Sendable, Hashable {
    /// Finished runs, with their tasks, attempts and logs.
    public var runs: Duration?
    /// The log lines of finished tasks.
    public var taskLogs: Duration?
    /// Attempts of finished tasks other than each task's last one (the lost and failed tries before it), with
    /// their logs.
    public var attempts: Duration?

    /// OpenLineage events as received (what they wrote stays).
    public var openLineageEvents: Duration?

    public init(runs: Duration? = nil, taskLogs: Duration? = nil, attempts: Duration? = nil, openLineageEvents: Duration? = nil) {
        self.runs = runs
        self.taskLogs = taskLogs
        self.attempts = attempts
        self.openLineageEvents = openLineageEvents
    }

    /// Whether anything is ever removed.
    public var removesAnything: Bool { runs != nil || taskLogs != nil || attempts != nil || openLineageEvents != nil }
}

/// What one retention pass removed.
public struct RetentionSweep: Sendable, Hashable {
    public var runs = 0
    public var attempts = 0
    public var logLines = 0
    public var openLineageEvents = 0

    public init() {}

    /// Whether the pass removed nothing (the next can wait for the interval).
    public var isEmpty: Bool { runs == 0 && attempts == 0 && logLines == 0 && openLineageEvents == 0 }
}
