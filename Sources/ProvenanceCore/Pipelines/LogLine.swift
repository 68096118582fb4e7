/// Which output of a step a log line came from.
public enum LogStream: Int16, Sendable, CaseIterable {
    case stdout = 1
    case stderr = 2

    /// The stream's name in the API.
    public var name: String { self == .stdout ? "stdout" : "stderr" }

    /// Parses `stdout` or `stderr`.
    public init?(name: String) {
        switch name {
        case "stdout": self = .stdout
        case "stderr": self = .stderr
        default: return nil
        }
    }
}

/// One line a step wrote.
public struct LogLine: Sendable, Equatable {
    /// Where it came from.
    public var stream: LogStream
    /// The text, without its newline.
    public var text: String
    /// The attempt that wrote it (set when read back).
    public var attempt: Int?
    /// Its position in the attempt's log (set when read back).
    public var sequence: Int64?
    /// When it was stored, microseconds since the epoch (set when read back).
    public var time: Int64?

    /// Creates a line.
    public init(stream: LogStream, text: String, attempt: Int? = nil, sequence: Int64? = nil, time: Int64? = nil) {
        self.stream = stream
        self.text = text
        self.attempt = attempt
        self.sequence = sequence
        self.time = time
    }
}
