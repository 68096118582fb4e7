import Foundation

/// Times and durations as the client commands print them (the API's are microseconds since the epoch).
enum TimeText {
    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter
    }()

    /// `2026-12-01 14:03:22`, local time.
    static func date(_ microseconds: Int64) -> String {
        formatter.string(from: Date(timeIntervalSince1970: Double(microseconds) / 1_000_000))
    }

    /// `HH:mm:ss.SSS` of a time, for a line of progress.
    static func clock(_ date: Date = Date()) -> String {
        let seconds = date.timeIntervalSince1970
        let components = Calendar.current.dateComponents([.hour, .minute, .second], from: date)
        let milliseconds = Int((seconds - seconds.rounded(.down)) * 1000)
        return String(
            format: "%02d:%02d:%02d.%03d", components.hour ?? 0, components.minute ?? 0, components.second ?? 0, milliseconds)
    }

    /// `0.42s`, `12.3s`, `4m05s`, `1h02m` between two times (microseconds), or "" without a start.
    static func duration(from start: Int64?, to end: Int64?) -> String {
        guard let start else { return "" }
        let end = end ?? Int64(Date().timeIntervalSince1970 * 1_000_000)
        let seconds = Double(max(end - start, 0)) / 1_000_000
        switch seconds {
        case ..<10: return String(format: "%.2fs", seconds)
        case ..<60: return String(format: "%.1fs", seconds)
        case ..<3600: return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
        default: return String(format: "%dh%02dm", Int(seconds) / 3600, Int(seconds) / 60 % 60)
        }
    }
}
