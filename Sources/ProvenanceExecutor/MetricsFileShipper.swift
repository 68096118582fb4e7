import Foundation
import Logging
import ProvenanceClient
import ProvenanceCore
import Synchronization

/// Forwards the metric points a step writes to its metrics file (`$PROVENANCE_METRICS_FILE`) to the server while
/// the step runs: every `interval` it reads what was appended since, and sends each complete line's point, up to
/// `MetricPoint.maximumPerRequest` a request. A line is one JSON object, `{"name": "loss", "value": 0.25, "step": 3,
/// "time": 1700000000000}` (`step` and `time` optional). A line that is not one is reported in the step's log
/// (stderr) and skipped; a batch the server refuses is reported there too. The file is read to its end once more
/// after the step exits (`flush(final: true)`, which takes a last line without its newline too), before the attempt
/// is reported, so its last values are on the execution.
final class MetricsFileShipper: Sendable {
    static let interval: Duration = .milliseconds(250)
    /// The longest line read; a longer one is reported and skipped.
    static let maximumLine = 64 * 1024

    private struct State {
        var offset: UInt64 = 0
        var lineNumber = 0
        var partial: [UInt8] = []
        var stopped = false
    }

    let path: String
    private let client: ProvenanceClient
    private let token: LeaseToken
    private let log: LogShipper
    private let logger: Logger
    private let state = Mutex(State())

    init(path: String, client: ProvenanceClient, token: LeaseToken, log: LogShipper, logger: Logger) {
        (self.path, self.client, self.token, self.log, self.logger) = (path, client, token, log, logger)
    }

    /// Creates the file, empty, for the step to append to.
    func prepare() throws {
        try? FileManager.default.removeItem(atPath: path)
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw StepRun.StepRefusal(reason: "could not create the metrics file \(path)")
        }
    }

    /// Forwards new points every `interval` until `stop()` or cancelled.
    func run() async {
        while !state.withLock({ $0.stopped }) {
            do { try await Task.sleep(for: Self.interval) } catch { return }
            await Task { await self.flush(final: false) }.value
        }
    }

    func stop() { state.withLock { $0.stopped = true } }

    /// Forwards every complete line written so far (`final`: and a last line without its newline).
    func flush(final: Bool) async {
        var points: [MetricPoint] = []
        for (number, line) in readLines(final: final) {
            do {
                points.append(try Self.point(line))
            } catch {
                log.append("[provenance] metrics file line \(number): \(error.message); skipped", stream: .stderr)
            }
        }
        var start = 0
        while start < points.count {
            let batch = Array(points[start..<min(start + MetricPoint.maximumPerRequest, points.count)])
            start += batch.count
            do {
                try await client.appendMetrics(token, points: batch)
            } catch {
                log.append("[provenance] \(batch.count) metric points were refused: \(error.message)", stream: .stderr)
                logger.warning("could not send metric points", metadata: ["points": "\(batch.count)", "error": "\(error.message)"])
            }
        }
    }

    /// The complete lines appended since the last read, numbered.
    private func readLines(final: Bool) -> [(Int, [UInt8])] {
        state.withLock { state in
            guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
            defer { try? handle.close() }
            try? handle.seek(toOffset: state.offset)
            var data = (try? handle.readToEnd()) ?? Data()
            state.offset += UInt64(data.count)
            if final, !state.partial.isEmpty || !data.isEmpty, data.last != UInt8(ascii: "\n") { data.append(UInt8(ascii: "\n")) }
            var lines: [(Int, [UInt8])] = []
            for byte in data {
                if byte == UInt8(ascii: "\n") {
                    state.lineNumber += 1
                    if state.partial.count <= Self.maximumLine, !state.partial.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                        lines.append((state.lineNumber, state.partial))
                    } else if state.partial.count > Self.maximumLine {
                        lines.append((state.lineNumber, []))
                    }
                    state.partial.removeAll(keepingCapacity: true)
                } else if state.partial.count <= Self.maximumLine {
                    state.partial.append(byte)
                }
            }
            return lines
        }
    }

    /// One line's point, or an error that says what is wrong with it.
    static func point(_ line: [UInt8]) throws(ProvenanceError) -> MetricPoint {
        guard !line.isEmpty else { throw .invalid("", "longer than \(maximumLine) bytes") }
        let json: JSON
        do { json = try JSONParser.parse(line) } catch { throw .invalid("", "not JSON (\(error.message))") }
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["name", "value", "step", "time"])
        guard let value = try reader.double("value") else { throw .invalid("value", "is required") }
        let point = MetricPoint(name: try reader.requiredString("name"), step: try reader.int("step"), value: value, time: try reader.int("time"))
        try MetricPoint.validate([point], field: "point")
        return point
    }
}
