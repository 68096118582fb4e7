/// OpenLineage's timestamps (RFC 3339 `date-time`), read into and written from microseconds since the Unix epoch.
/// Written here rather than with Foundation's formatters: they allocate per call, and take fractions to
/// milliseconds only, where producers send up to nanoseconds.
public enum OpenLineageTime {
    /// Reads `2024-05-01T10:00:00Z`, `2024-05-01T10:00:00.123456+02:00` and the like. A time without an offset
    /// (Python's naive `isoformat()`) is taken as UTC; digits past microseconds are dropped.
    public static func microseconds(_ text: String, field: @autoclosure () -> String) throws(ProvenanceError) -> Int64 {
        let bytes = Array(text.utf8)
        func fail() -> ProvenanceError {
            .invalid(field(), "'\(text.prefix(64))' is not an RFC 3339 date-time (2024-05-01T10:00:00.000Z)")
        }
        var position = 0
        func digits(_ count: Int) throws(ProvenanceError) -> Int64 {
            guard position + count <= bytes.count else { throw fail() }
            var value: Int64 = 0
            for byte in bytes[position..<(position + count)] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw fail() }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            position += count
            return value
        }
        func expect(_ characters: String) throws(ProvenanceError) {
            guard position < bytes.count, characters.utf8.contains(bytes[position]) else { throw fail() }
            position += 1
        }
        let year = try digits(4)
        try expect("-")
        let month = try digits(2)
        try expect("-")
        let day = try digits(2)
        try expect("Tt ")
        let hour = try digits(2)
        try expect(":")
        let minute = try digits(2)
        try expect(":")
        let second = try digits(2)
        var micros: Int64 = 0
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            var scale: Int64 = 100_000
            let start = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                micros += Int64(bytes[position] - UInt8(ascii: "0")) * scale
                scale /= 10
                position += 1
            }
            guard position > start else { throw fail() }
        }
        var offsetSeconds: Int64 = 0
        if position < bytes.count {
            let sign = bytes[position]
            if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
                position += 1
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                position += 1
                let hours = try digits(2)
                try expect(":")
                let minutes = try digits(2)
                guard hours < 24, minutes < 60 else { throw fail() }
                offsetSeconds = (hours * 3600 + minutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
            } else {
                throw fail()
            }
        }
        guard position == bytes.count, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second <= 60
        else { throw fail() }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return seconds * 1_000_000 + micros
    }

    /// Writes microseconds since the epoch as `2024-05-01T10:00:00.123456Z`, as Marquez answers.
    public static func text(microseconds: Int64) -> String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = microseconds - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):"
            + "\(pad(secondOfDay % 60, 2)).\(pad(micros, 6))Z"
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
