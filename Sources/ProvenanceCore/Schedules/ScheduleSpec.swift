/// A schedule as its owner writes it: which pipeline to run, with what, when, and what to do about missed and
/// overlapping fires. `ScheduleSpec+JSON` reads and writes it.
public struct ScheduleSpec: Sendable, Equatable {
    /// Unique in its namespace (a pipeline name's rules).
    public var name: String
    public var description: String?
    /// The pipeline's name.
    public var pipeline: String
    /// A version's digest to pin; nil runs the newest version at each fire.
    public var version: String?
    /// The runs' parameters (the pipeline's defaults fill the rest). A pipeline parameter named `scheduled_time`
    /// that the schedule leaves unset gets each fire's nominal time.
    public var parameters: [String: JSON]
    /// The runs' labels.
    public var labels: [String: String]
    /// Whether the runs' tasks may reuse cached outputs.
    public var cache: Bool
    /// When it fires.
    public var timing: ScheduleTiming
    /// No fire before this instant (microseconds since the epoch); an interval counts from it.
    public var startTime: Int64?
    /// No fire after this instant.
    public var endTime: Int64?
    public var catchUp: CatchUpPolicy
    /// The most missed fires `CatchUpPolicy.all` runs at once.
    public var catchUpLimit: Int
    public var overlap: OverlapPolicy
    /// How many of its runs may be active at once.
    public var maxConcurrency: Int

    /// The pipeline parameter that receives a fire's nominal time.
    public static let scheduledTimeParameter = "scheduled_time"
    /// The defaults of the policies' numbers, and their bounds.
    public static let defaultCatchUpLimit = 10
    public static let catchUpLimits = 1...1000
    public static let defaultMaxConcurrency = 1
    public static let concurrencyLimits = 1...100

    /// Creates a schedule with the documented defaults.
    public init(
        name: String, pipeline: String, timing: ScheduleTiming, description: String? = nil, version: String? = nil,
        parameters: [String: JSON] = [:], labels: [String: String] = [:], cache: Bool = true, startTime: Int64? = nil,
        endTime: Int64? = nil, catchUp: CatchUpPolicy = .latest, catchUpLimit: Int = Self.defaultCatchUpLimit,
        overlap: OverlapPolicy = .skip, maxConcurrency: Int = Self.defaultMaxConcurrency
    ) {
        self.name = name
        self.description = description
        self.pipeline = pipeline
        self.version = version
        self.parameters = parameters
        self.labels = labels
        self.cache = cache
        self.timing = timing
        self.startTime = startTime
        self.endTime = endTime
        self.catchUp = catchUp
        self.catchUpLimit = catchUpLimit
        self.overlap = overlap
        self.maxConcurrency = maxConcurrency
    }

    /// The time trigger, with an interval counted from the start time or else from `created` (the schedule's
    /// creation); nil for a data trigger.
    public func trigger(created: Int64) -> ScheduleTrigger? {
        switch timing {
        case .cron(let expression, let zone, let dst): .cron(expression, timeZone: zone, dst: dst)
        case .interval(let every): .interval(every: every, anchor: startTime ?? created)
        case .artifacts: nil
        }
    }

    /// The data trigger, if the schedule fires on new artifacts.
    public var artifactTrigger: ArtifactTrigger? {
        if case .artifacts(let trigger) = timing { return trigger }
        return nil
    }

    /// The first time fire strictly after `instant` within the start and end times; nil when none is left (and
    /// for a data trigger, which fires on arrivals, not at times).
    public func nextFire(after instant: Int64, created: Int64) -> Int64? {
        let from = startTime.map { max(instant, $0 - 1) } ?? instant
        guard let fire = trigger(created: created)?.nextFire(after: from) else { return nil }
        if let endTime, fire > endTime { return nil }
        return fire
    }

    /// The request one fire makes: the schedule's parameters and labels, with `scheduled_time` filled in when the
    /// pipeline has that parameter and the schedule leaves it unset, and a data trigger's parameter given the
    /// artifact's id.
    public func runRequest(nominalTime: Int64, pipelineParameters: [String], artifact: ArtifactID? = nil) -> RunRequest {
        var parameters = self.parameters
        if let trigger = artifactTrigger { parameters[trigger.parameter] = .int(artifact?.rawValue ?? 0) }
        if pipelineParameters.contains(Self.scheduledTimeParameter), parameters[Self.scheduledTimeParameter] == nil {
            parameters[Self.scheduledTimeParameter] = .string(scheduledTimeText(nominalTime))
        }
        return RunRequest(pipeline: pipeline, version: version, parameters: parameters, labels: labels, cache: cache)
    }

    /// A fire's nominal time as RFC 3339 text in the schedule's zone (UTC for intervals).
    public func scheduledTimeText(_ nominalTime: Int64) -> String {
        var offset: Int64 = 0
        if case .cron(_, let zone, _) = timing { offset = zone.offset(atSecond: nominalTime / 1_000_000) }
        return RFC3339Time.text(microseconds: nominalTime, offsetSeconds: offset, fraction: false)
    }
}

/// When a schedule fires, as written: a cron expression in a time zone, a fixed interval, or new artifacts.
public enum ScheduleTiming: Sendable, Equatable {
    case cron(CronExpression, timeZone: ScheduleTimeZone, dst: DaylightSavingPolicy)
    /// Microseconds between fires.
    case interval(Int64)
    /// A fire for each new artifact of a type.
    case artifacts(ArtifactTrigger)
}
