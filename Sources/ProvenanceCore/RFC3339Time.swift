/// RFC 3339 `date-time` text (OpenLineage's timestamps, schedules' start and end times), read into and written from
/// microseconds since the Unix epoch. Written here rather than with Foundation's formatters: they allocate per call,
/// and take fractions to milliseconds only, where producers send up to nanoseconds.
public enum RFC3339Time {
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
        guard position == bytes.count, (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second <= 60
        else { throw fail() }
        let days = CivilDate(year: year, month: month, day: day).daysSinceEpoch
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetSeconds
        return seconds * 1_000_000 + micros
    }

    /// Writes microseconds since the epoch as `2024-05-01T10:00:00.123456Z`, as Marquez answers; with
    /// `offsetSeconds`, as the local time of that offset (`2024-05-01T12:00:00.123456+02:00`); without `fraction`,
    /// to the second (`2024-05-01T12:00:00+02:00`).
    public static func text(microseconds: Int64, offsetSeconds: Int64 = 0, fraction: Bool = true) -> String {
        let utcSeconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let micros = microseconds - utcSeconds * 1_000_000
        let seconds = utcSeconds + offsetSeconds
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = CivilDate(daysSinceEpoch: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T\(pad(secondOfDay / 3600, 2)):"
            + "\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fraction { text += ".\(pad(micros, 6))" }
        if offsetSeconds == 0 { return text + "Z" }
        let magnitude = abs(offsetSeconds)
        return text + (offsetSeconds < 0 ? "-" : "+") + "\(pad(magnitude / 3600, 2)):\(pad(magnitude / 60 % 60, 2))"
    }
}
