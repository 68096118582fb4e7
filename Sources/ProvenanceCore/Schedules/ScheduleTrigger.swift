/// When a schedule fires: at the local times a cron expression matches in a time zone, or every fixed interval.
/// Times are microseconds since the epoch; `nextFire(after:)` is the one question the scheduler asks.
public enum ScheduleTrigger: Sendable, Equatable {
    /// At the local times `expression` matches in `timeZone`, with `dst` saying what a skipped or repeated local
    /// time does.
    case cron(CronExpression, timeZone: ScheduleTimeZone, dst: DaylightSavingPolicy)
    /// Every `every` microseconds from `anchor` (the schedule's start, or its creation when it has none).
    case interval(every: Int64, anchor: Int64)

    /// The shortest interval a schedule may have.
    public static let minimumInterval: Int64 = 1_000_000

    /// The first fire strictly after `instant`; nil when none comes (a cron expression that matches no date
    /// within `CronExpression.searchYears`).
    public func nextFire(after instant: Int64) -> Int64? {
        switch self {
        case .interval(let every, let anchor):
            guard instant >= anchor else { return anchor }
            return anchor + ((instant - anchor) / every + 1) * every
        case .cron(let expression, let zone, let dst):
            return Self.nextCronFire(after: instant, expression: expression, zone: zone, dst: dst)
        }
    }

    /// The fires of one local time under `dst`.
    static func fires(of resolution: LocalTimeResolution, dst: DaylightSavingPolicy) -> [Int64] {
        switch (resolution, dst) {
        case (.unique(let instant), _): [instant]
        case (.skipped, .skip): []
        case (.skipped(let shifted), _): [shifted]
        case (.repeated(let first, let second), .repeatTwice): [first, second]
        case (.repeated(let first, _), _): [first]
        }
    }

    /// Walks the local times the expression matches from a little before `instant`'s local time. Around a
    /// transition, local order and instant order differ by at most the offsets' spread (a shifted 02:59 fires
    /// after a real 03:00), so the walk looks that much past the best fire found before it stops.
    private static func nextCronFire(
        after instant: Int64, expression: CronExpression, zone: ScheduleTimeZone, dst: DaylightSavingPolicy
    ) -> Int64? {
        let second = floorDivide(instant, 1_000_000)
        let localMinute = floorDivide(second + zone.offset(atSecond: second), 60)
        var cursor = localMinute - zone.offsetSpread(near: second) / 60 - 1
        var best: Int64?
        var lastMinute = Int64.max
        while let minute = expression.next(after: cursor), minute <= lastMinute {
            cursor = minute
            for fire in fires(of: zone.resolve(localSecond: minute * 60), dst: dst) {
                let micros = fire * 1_000_000
                guard micros > instant, best == nil || micros < best! else { continue }
                best = micros
                lastMinute = minute + zone.offsetSpread(near: fire) / 60
            }
        }
        return best
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : (value - divisor + 1) / divisor
    }
}

/// What a cron schedule does with a local time the clocks skip (spring forward) or repeat (fall back).
public enum DaylightSavingPolicy: String, Sendable, CaseIterable {
    /// The default: a skipped time fires as much after the jump as it was into the gap (02:30 fires at 03:30 when
    /// 02:00 jumps to 03:00); a repeated time fires once, at its first occurrence.
    case shift
    /// A skipped time does not fire; a repeated time fires once, at its first occurrence.
    case skip
    /// A skipped time fires shifted, as with `shift`; a repeated time fires at both occurrences.
    case repeatTwice = "repeat"

    /// What the API calls it.
    public var name: String { rawValue }
}
