/// One customer (one value of the fleet's label) of a pipeline, as the fleet view shows it: its latest run and
/// latest success, its next scheduled fire, and what stands out.
public struct FleetEntry: Sendable, Equatable {
    /// The label's value (`acme`).
    public var key: String
    public var latestRun: FleetRun?
    public var lastSuccess: FleetRun?
    /// The soonest next fire of the pipeline's schedules for it, and the schedule.
    public var nextFire: (schedule: String, time: Int64)?
    /// How often its schedule fires (the gap between its last fire and its next), if it has one.
    public var period: Int64?
    /// Why the latest run's task cannot start (no attached executor could ever take it), if so.
    public var blockedReason: String?
    public var status: FleetStatus = .ok

    /// Creates an entry.
    public init(key: String) {
        self.key = key
    }

    public static func == (lhs: FleetEntry, rhs: FleetEntry) -> Bool {
        lhs.key == rhs.key && lhs.latestRun == rhs.latestRun && lhs.lastSuccess == rhs.lastSuccess
            && lhs.nextFire?.schedule == rhs.nextFire?.schedule && lhs.nextFire?.time == rhs.nextFire?.time
            && lhs.period == rhs.period && lhs.blockedReason == rhs.blockedReason && lhs.status == rhs.status
    }

    /// Decides `status` at `now`: `staleAfter` is how old a last success may be for a customer without a schedule
    /// (one with a schedule may be two of its periods old).
    public mutating func decide(now: Int64, staleAfter: Int64) {
        guard let latest = latestRun else {
            status = .neverRan
            return
        }
        if blockedReason != nil {
            status = .blocked
        } else if latest.state == .failed || latest.state == .canceled {
            status = .failing
        } else if let success = lastSuccess?.endTime ?? lastSuccess?.createTime, now - success > (period.map { $0 * 2 } ?? staleAfter) {
            status = .stale
        } else if lastSuccess == nil, now - latest.createTime > (period.map { $0 * 2 } ?? staleAfter) {
            status = .stale
        } else {
            status = latest.state.isFinal ? .ok : .running
        }
    }
}

/// A run as the fleet view names it.
public struct FleetRun: Sendable, Equatable {
    public var id: RunID
    public var state: RunState
    /// Microseconds since the epoch.
    public var createTime: Int64
    public var endTime: Int64?

    /// Creates a value.
    public init(id: RunID, state: RunState, createTime: Int64, endTime: Int64?) {
        self.id = id
        self.state = state
        self.createTime = createTime
        self.endTime = endTime
    }
}

/// What stands out about a customer, most urgent first.
public enum FleetStatus: String, Sendable, CaseIterable {
    /// Its latest run cannot start: no attached executor could ever take one of its tasks.
    case blocked
    /// Its latest run failed (or was cancelled).
    case failing
    /// Its last success is older than two of its schedule's periods (or than `stale_after` without a schedule).
    case stale
    /// It has no run yet.
    case neverRan = "never_ran"
    /// Its latest run is under way.
    case running
    case ok

    /// Whether it needs someone's attention.
    public var standsOut: Bool { [.blocked, .failing, .stale].contains(self) }
}
