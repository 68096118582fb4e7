/// A five-field cron expression (`minute hour day-of-month month day-of-week`), as Vixie cron reads it: `*`,
/// numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, month and weekday names (`jan`, `mon`), 7 for
/// Sunday, and the macros `@yearly`, `@monthly`, `@weekly`, `@daily` and `@hourly`. When both day fields are
/// restricted (neither starts with `*`), a day matches either one, as in cron.
///
/// It matches local wall-clock minutes; which instants those are (and what a skipped or repeated local time does)
/// is `ScheduleCalendar`'s business.
public struct CronExpression: Sendable, Equatable {
    /// The expression as given.
    public let text: String
    private let minutes: UInt64
    private let hours: UInt64
    private let daysOfMonth: UInt64
    private let months: UInt64
    private let weekdays: UInt64
    private let dayOfMonthRestricted: Bool
    private let weekdayRestricted: Bool

    /// How far ahead a search for the next match looks before it says there is none.
    static let searchYears: Int64 = 8

    /// Parses `text`; a bad field is an error at `field` that names the field and says what is wrong.
    public init(parsing text: String, field: String) throws(ProvenanceError) {
        self.text = text
        let trimmed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        let expanded: String
        switch trimmed.lowercased() {
        case "@yearly", "@annually": expanded = "0 0 1 1 *"
        case "@monthly": expanded = "0 0 1 * *"
        case "@weekly": expanded = "0 0 * * 0"
        case "@daily", "@midnight": expanded = "0 0 * * *"
        case "@hourly": expanded = "0 * * * *"
        default:
            if trimmed.hasPrefix("@") {
                throw .invalid(field, "unknown macro '\(trimmed)'; use @yearly, @monthly, @weekly, @daily or @hourly")
            }
            expanded = trimmed
        }
        let parts = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard parts.count == 5 else {
            throw .invalid(
                field, "'\(text)' has \(parts.count) fields; a cron expression has 5: minute hour day-of-month month day-of-week")
        }
        minutes = try Self.parse(parts[0], name: "minute", range: 0...59, names: [:], field: field)
        hours = try Self.parse(parts[1], name: "hour", range: 0...23, names: [:], field: field)
        daysOfMonth = try Self.parse(parts[2], name: "day-of-month", range: 1...31, names: [:], field: field)
        months = try Self.parse(parts[3], name: "month", range: 1...12, names: Self.monthNames, field: field)
        var days = try Self.parse(parts[4], name: "day-of-week", range: 0...7, names: Self.weekdayNames, field: field)
        if days & (1 << 7) != 0 { days = (days | 1) & ~(1 << 7) }
        weekdays = days
        dayOfMonthRestricted = !parts[2].hasPrefix("*")
        weekdayRestricted = !parts[4].hasPrefix("*")
        // 2000-01-01: any expression that ever matches does so within `searchYears` of any date.
        guard next(after: CivilDate(year: 2000, month: 1, day: 1).daysSinceEpoch * 1440) != nil else {
            throw .invalid(field, "'\(text)' never matches a date (no month has that day)")
        }
    }

    private static let monthNames: [String: Int] = [
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11,
        "dec": 12,
    ]
    private static let weekdayNames: [String: Int] = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]

    /// One field as a bit set of the values it allows.
    private static func parse(
        _ text: String, name: String, range: ClosedRange<Int>, names: [String: Int], field: String
    ) throws(ProvenanceError) -> UInt64 {
        func fail(_ why: String) -> ProvenanceError {
            .invalid(field, "the \(name) field '\(text)' \(why)")
        }
        func value(_ token: Substring) throws(ProvenanceError) -> Int {
            if let number = Int(token) {
                guard range.contains(number) else { throw fail("has \(number), outside \(range.lowerBound)-\(range.upperBound)") }
                return number
            }
            if let named = names[token.lowercased()] { return named }
            if token == "?" { throw fail("uses '?' (Quartz syntax); use '*'") }
            throw fail("has '\(token)', which is not a number\(names.isEmpty ? "" : " or a name")")
        }
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("has an empty list item") }
            let stepParts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard stepParts.count <= 2 else { throw fail("has more than one '/' in '\(item)'") }
            var step = 1
            if stepParts.count == 2 {
                guard let parsed = Int(stepParts[1]), parsed > 0 else { throw fail("has step '\(stepParts[1])'; a step is a positive number") }
                step = parsed
            }
            let base = stepParts[0]
            var low: Int, high: Int
            if base == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                low = try value(base[..<dash])
                high = try value(base[base.index(after: dash)...])
                guard low <= high else { throw fail("has the range '\(base)', which runs backwards") }
            } else {
                low = try value(base)
                high = stepParts.count == 2 ? range.upperBound : low
            }
            var current = low
            while current <= high {
                bits |= 1 << UInt64(current)
                current += step
            }
        }
        return bits
    }

    private static func has(_ bits: UInt64, _ value: Int64) -> Bool {
        bits & (1 << UInt64(value)) != 0
    }

    /// The smallest value in `bits` at or above `value`, if any below 64.
    private static func first(_ bits: UInt64, from value: Int64) -> Int64? {
        guard value < 64 else { return nil }
        let rest = bits >> UInt64(value)
        return rest == 0 ? nil : value + Int64(rest.trailingZeroBitCount)
    }

    /// Whether the expression's day fields match `date`.
    public func matches(_ date: CivilDate) -> Bool {
        guard Self.has(months, date.month) else { return false }
        let dayMatches = Self.has(daysOfMonth, date.day)
        let weekdayMatches = Self.has(weekdays, date.weekday)
        switch (dayOfMonthRestricted, weekdayRestricted) {
        case (true, true): return dayMatches || weekdayMatches
        case (true, false): return dayMatches
        case (false, true): return weekdayMatches
        case (false, false): return true
        }
    }

    /// The first local minute after `minute` (minutes since 1970-01-01T00:00 local time) that the expression
    /// matches; nil when none comes within `searchYears`.
    public func next(after minute: Int64) -> Int64? {
        var candidate = minute + 1
        let limit = minute + Self.searchYears * 366 * 1440
        while candidate <= limit {
            let day = candidate >= 0 ? candidate / 1440 : (candidate - 1439) / 1440
            let date = CivilDate(daysSinceEpoch: day)
            guard Self.has(months, date.month) else {
                let nextMonth = date.month == 12 ? CivilDate(year: date.year + 1, month: 1, day: 1)
                    : CivilDate(year: date.year, month: date.month + 1, day: 1)
                candidate = nextMonth.daysSinceEpoch * 1440
                continue
            }
            guard matches(date) else {
                candidate = (day + 1) * 1440
                continue
            }
            let minuteOfDay = candidate - day * 1440
            let hour = minuteOfDay / 60
            guard let matchingHour = Self.first(hours, from: hour) else {
                candidate = (day + 1) * 1440
                continue
            }
            if matchingHour != hour {
                candidate = day * 1440 + matchingHour * 60
                continue
            }
            guard let matchingMinute = Self.first(minutes, from: minuteOfDay % 60) else {
                candidate = day * 1440 + (hour + 1) * 60
                continue
            }
            return day * 1440 + hour * 60 + matchingMinute
        }
        return nil
    }
}
