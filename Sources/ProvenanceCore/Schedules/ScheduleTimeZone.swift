import Foundation

/// An IANA time zone a cron schedule runs in (`Europe/Berlin`, `America/Sao_Paulo`, `UTC`), with the one question
/// schedules ask of it: which instants a local wall-clock time is. Foundation answers the offsets from its copy of
/// the time zone database; the rest is integer arithmetic.
public struct ScheduleTimeZone: Sendable, Equatable {
    /// The zone's identifier as given.
    public let identifier: String
    private let zone: TimeZone

    /// UTC.
    public static let utc = ScheduleTimeZone(checked: "UTC", zone: TimeZone(identifier: "UTC")!)

    private init(checked identifier: String, zone: TimeZone) {
        self.identifier = identifier
        self.zone = zone
    }

    /// The zone named `identifier`; an unknown name is an error at `field`.
    public init(identifier: String, field: String) throws(ProvenanceError) {
        // Foundation takes abbreviations and offsets too ("EST", "GMT+3"); a schedule names a region, whose rules
        // follow the law, or UTC.
        guard identifier == "UTC" || identifier.contains("/"), let zone = TimeZone(identifier: identifier) else {
            throw .invalid(field, "'\(identifier)' is not an IANA time zone; use a name like Europe/Berlin, America/New_York or UTC")
        }
        self.init(checked: identifier, zone: zone)
    }

    /// The zone's offset from UTC, in seconds, at `second` (seconds since the epoch).
    public func offset(atSecond second: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(second))))
    }

    /// The offsets the zone has within a day and a half of `second`, smallest first: one, or two around a
    /// transition.
    func offsets(near second: Int64) -> [Int64] {
        var offsets: Set<Int64> = []
        for step in -6...6 { offsets.insert(offset(atSecond: second + Int64(step) * 6 * 3600)) }
        return offsets.sorted()
    }

    /// What a local wall-clock time (seconds since 1970-01-01T00:00 local) is in this zone.
    public func resolve(localSecond local: Int64) -> LocalTimeResolution {
        let candidates = offsets(near: local)
        let instants = candidates.map { local - $0 }.filter { offset(atSecond: $0) == local - $0 }.sorted()
        switch instants.count {
        case 0:
            // A gap: the clocks jumped over it. Read with the offset before the jump (the smallest), the time
            // lands as far after the jump as it was into the gap, as Python's and Java's zone arithmetic does.
            return .skipped(shifted: local - candidates[0])
        case 1: return .unique(instants[0])
        default: return .repeated(first: instants[0], second: instants[instants.count - 1])
        }
    }

    /// How far apart the zone's offsets are within a day and a half of `second` (zero away from transitions).
    func offsetSpread(near second: Int64) -> Int64 {
        let offsets = offsets(near: second)
        return offsets[offsets.count - 1] - offsets[0]
    }
}

/// The instants one local wall-clock time is.
public enum LocalTimeResolution: Sendable, Equatable {
    /// One instant: an ordinary time.
    case unique(Int64)
    /// None: the clocks jumped over it (spring forward); `shifted` is the time read with the earlier offset.
    case skipped(shifted: Int64)
    /// Two: the clocks were turned back over it (fall back).
    case repeated(first: Int64, second: Int64)
}
