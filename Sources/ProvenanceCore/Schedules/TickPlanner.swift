/// What one look at a due schedule decides: which of its fires since the last look run, wait or are skipped (and
/// why), which waiting ticks run now, which active runs are cancelled to make room, and where the schedule stands
/// after. Pure: the scheduler reads the schedule's row (locked), its active runs and its QUEUED ticks, asks this,
/// and writes the answer in the same transaction, so every fire is decided once, by one replica.
public struct TickPlanner: Sendable {
    /// The schedule.
    public var spec: ScheduleSpec
    /// When it was created (an interval without a start counts from it).
    public var created: Int64
    /// Every fire at or before this instant has been decided.
    public var cursor: Int64
    /// The database's clock.
    public var now: Int64
    /// How late a fire may be decided and still count as on time (`--schedule-grace`).
    public var grace: Int64
    /// Its active runs (PENDING or RUNNING), oldest first.
    public var activeRuns: [RunID]
    /// Its QUEUED ticks' nominal times, oldest first.
    public var queuedTicks: [Int64]
    /// New artifacts a data trigger has yet to consume, in commit order.
    public var arrivals: [ArtifactArrival]

    /// The most fires one look walks through; a longer outage moves the cursor past the rest unrecorded (and the
    /// first recorded tick says how many).
    public static let maximumWalk = 100_000
    /// The most SKIPPED ticks one look records (the newest).
    public static let maximumRecordedSkips = 1000

    /// Creates a planner.
    public init(
        spec: ScheduleSpec, created: Int64, cursor: Int64, now: Int64, grace: Int64, activeRuns: [RunID] = [],
        queuedTicks: [Int64] = [], arrivals: [ArtifactArrival] = []
    ) {
        self.spec = spec
        self.created = created
        self.cursor = cursor
        self.now = now
        self.grace = grace
        self.activeRuns = activeRuns
        self.queuedTicks = queuedTicks
        self.arrivals = arrivals
    }

    /// Decides. Its walk is bounded (`maximumWalk`), and so is what it records.
    public func plan() -> TickDecisions {
        var decisions = TickDecisions(cursor: cursor, nextFire: nil)
        // Fires since the cursor, oldest first; only the newest `maximumRecordedSkips + catchUpLimit` are kept.
        var due: [Int64] = []
        var unrecorded = 0
        var walked = 0
        var last = cursor
        while walked < Self.maximumWalk, let fire = spec.nextFire(after: last, created: created), fire <= now {
            due.append(fire)
            last = fire
            walked += 1
            if due.count > Self.maximumRecordedSkips + spec.catchUpLimit + 1 {
                let dropped = due.count / 2
                due.removeFirst(dropped)
                unrecorded += dropped
            }
        }
        if walked == Self.maximumWalk { last = now }
        decisions.cursor = max(cursor, last)
        decisions.nextFire = spec.nextFire(after: decisions.cursor, created: created)

        var slots = Slots(planner: self)
        for nominal in queuedTicks {
            guard slots.hasRoom else { break }
            slots.take()
            decisions.fireQueued.append(nominal)
        }
        let lateCount = due.filter { now - $0 > grace }.count
        for (index, nominal) in due.enumerated() {
            if let reason = catchUpSkip(nominal, among: due, at: index, lateCount: lateCount) {
                decisions.ticks.append(PlannedTick(nominalTime: nominal, state: .skipped, reason: reason))
                continue
            }
            decisions.ticks.append(slots.admit(nominal, into: &decisions))
        }
        // Arrivals fire in commit order; under `queue`, those without room stay unconsumed for a later look.
        for arrival in arrivals {
            if !slots.hasRoom, spec.overlap == .queue { break }
            var tick = slots.admit(arrival.time, into: &decisions)
            tick.artifactID = arrival.artifactID
            decisions.ticks.append(tick)
            decisions.consumedArrivals += 1
        }
        if unrecorded > 0, !decisions.ticks.isEmpty {
            let first = decisions.ticks[0]
            let note = "\(unrecorded) earlier fires were skipped unrecorded"
            decisions.ticks[0].reason = first.reason.map { "\($0); \(note)" } ?? note
        }
        return decisions
    }

    /// Why the catch-up policy skips the fire at `nominal` (the `index`th of `due`), or nil when it runs.
    private func catchUpSkip(_ nominal: Int64, among due: [Int64], at index: Int, lateCount: Int) -> String? {
        let onTime = now - nominal <= grace
        switch spec.catchUp {
        case .none:
            return onTime ? nil : "missed: no scheduler came to it within \(Self.describe(grace)) of its time (catch_up none)"
        case .latest:
            return index == due.count - 1
                ? nil : "superseded by the fire at \(spec.scheduledTimeText(due[due.count - 1])) (catch_up latest)"
        case .all:
            if onTime { return nil }
            return index >= lateCount - spec.catchUpLimit
                ? nil : "over the catch-up limit of \(spec.catchUpLimit) missed fires (catch_up all)"
        }
    }

    static func describe(_ micros: Int64) -> String {
        SettingDuration.describe(.microseconds(micros))
    }

    /// The room for runs under `max_concurrency`, as fires take it.
    private struct Slots {
        let spec: ScheduleSpec
        /// Active runs, oldest first, then fires of this look (nil: a run not made yet).
        var active: [RunID?]
        var queued: Int

        init(planner: TickPlanner) {
            spec = planner.spec
            active = planner.activeRuns.map(Optional.some)
            queued = planner.queuedTicks.count
        }

        var hasRoom: Bool { active.count < spec.maxConcurrency }

        mutating func take() {
            active.append(nil)
            if queued > 0 { queued -= 1 }
        }

        /// What a fire the catch-up policy lets run does under the overlap policy.
        mutating func admit(_ nominal: Int64, into decisions: inout TickDecisions) -> PlannedTick {
            if active.count < spec.maxConcurrency {
                active.append(nil)
                return PlannedTick(nominalTime: nominal, state: .fired)
            }
            let busy = "\(active.count) runs of the schedule were active (max_concurrency \(spec.maxConcurrency))"
            switch spec.overlap {
            case .skip:
                return PlannedTick(nominalTime: nominal, state: .skipped, reason: "\(busy) (overlap skip)")
            case .queue:
                guard queued < OverlapPolicy.maximumQueuedTicks else {
                    return PlannedTick(
                        nominalTime: nominal, state: .skipped,
                        reason: "\(busy) and \(OverlapPolicy.maximumQueuedTicks) fires were queued already (overlap queue)")
                }
                queued += 1
                return PlannedTick(nominalTime: nominal, state: .queued, reason: "\(busy) (overlap queue)")
            case .cancelOldest:
                while active.count >= spec.maxConcurrency {
                    let oldest = active.removeFirst()
                    if let run = oldest {
                        decisions.cancelRuns.append(run)
                    } else if let index = decisions.ticks.firstIndex(where: { $0.state == .fired }) {
                        // A fire of this same look: it never starts.
                        decisions.ticks[index].state = .skipped
                        decisions.ticks[index].reason = "superseded by the fire at \(spec.scheduledTimeText(nominal)) (overlap cancel_oldest)"
                    }
                }
                active.append(nil)
                return PlannedTick(nominalTime: nominal, state: .fired)
            }
        }
    }
}

/// What `TickPlanner.plan()` decided.
public struct TickDecisions: Sendable, Equatable {
    /// New ticks to record, oldest first.
    public var ticks: [PlannedTick] = []
    /// QUEUED ticks (their nominal times) that run now.
    public var fireQueued: [Int64] = []
    /// Active runs to cancel (`OverlapPolicy.cancelOldest`).
    public var cancelRuns: [RunID] = []
    /// How many of the arrivals were consumed (the first ones): the cursor moves past them.
    public var consumedArrivals = 0
    /// The schedule's new cursor.
    public var cursor: Int64
    /// Its next fire after that; nil when none is left.
    public var nextFire: Int64?
}

/// One tick to record.
public struct PlannedTick: Sendable, Equatable {
    public var nominalTime: Int64
    /// FIRED (a run is made), SKIPPED or QUEUED.
    public var state: TickState
    public var reason: String?
    /// The artifact a data trigger's fire hands its run.
    public var artifactID: ArtifactID?

    /// Creates a tick.
    public init(nominalTime: Int64, state: TickState, reason: String? = nil, artifactID: ArtifactID? = nil) {
        self.nominalTime = nominalTime
        self.state = state
        self.reason = reason
        self.artifactID = artifactID
    }
}
