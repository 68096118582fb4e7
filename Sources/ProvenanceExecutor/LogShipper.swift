import Logging
import ProvenanceClient
import ProvenanceCore
import Synchronization

/// Collects a step's output lines and sends them to the server in batches (every `interval`, or sooner when a
/// batch fills), keeping the last lines for the failure report. A server that cannot take them does not stop the
/// step: the batch is dropped with a warning.
final class LogShipper: Sendable {
    /// The most lines sent at once.
    static let batchSize = 500
    /// How often pending lines are sent.
    static let interval: Duration = .milliseconds(250)
    /// How many last lines a failure report carries.
    static let tailLength = 40

    private struct State {
        var pending: [LogLine] = []
        var tail: [String] = []
        var stopped = false
    }

    private let client: ProvenanceClient
    private let token: LeaseToken
    private let logger: Logger
    private let state = Mutex(State())

    init(client: ProvenanceClient, token: LeaseToken, logger: Logger) {
        self.client = client
        self.token = token
        self.logger = logger
    }

    /// Records a line.
    func append(_ text: String, stream: LogStream) {
        state.withLock { state in
            state.pending.append(LogLine(stream: stream, text: text))
            state.tail.append(text)
            if state.tail.count > Self.tailLength { state.tail.removeFirst(state.tail.count - Self.tailLength) }
        }
    }

    /// The last lines, for a failure report.
    var tail: String { state.withLock { $0.tail.joined(separator: "\n") } }

    /// Sends pending lines every `interval` until `stop()` (a send in progress is never cut off).
    func run() async {
        while !state.withLock({ $0.stopped }) {
            try? await Task.sleep(for: Self.interval)
            await flush()
        }
    }

    /// Ends `run()` after its current interval.
    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// Sends every pending line now.
    func flush() async {
        while true {
            let batch: [LogLine] = state.withLock { state in
                let batch = Array(state.pending.prefix(Self.batchSize))
                state.pending.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await client.appendLogs(token, lines: batch)
            } catch {
                logger.warning("could not send log lines; dropped", metadata: ["lines": "\(batch.count)", "error": "\(error.message)"])
            }
        }
    }
}
