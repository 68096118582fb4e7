import Logging
import ProvenanceClient
import ProvenanceCore
import Synchronization

/// Collects a step's output lines and sends them to the server in batches (every `interval`, or sooner when a
/// batch fills), keeping the last lines for the failure report (and the last lines of stderr, which often say why
/// a step failed, even when stdout wrote more after them: the two are separate pipes). A server that cannot take them does not stop the
/// step: the batch is dropped with a warning.
final class LogShipper: Sendable {
    /// The most lines sent at once.
    static let batchSize = 500
    /// How often pending lines are sent.
    static let interval: Duration = .milliseconds(250)
    /// How many last lines a failure report carries.
    static let tailLength = 40
    /// How many last stderr lines it carries when they are older than those.
    static let errorTailLength = 10

    private struct State {
        var pending: [LogLine] = []
        var count = 0
        var tail: [(number: Int, text: String)] = []
        var errorTail: [(number: Int, text: String)] = []
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
            state.count += 1
            state.tail.append((state.count, text))
            if state.tail.count > Self.tailLength { state.tail.removeFirst(state.tail.count - Self.tailLength) }
            if stream == .stderr {
                state.errorTail.append((state.count, text))
                if state.errorTail.count > Self.errorTailLength { state.errorTail.removeFirst() }
            }
        }
    }

    /// The last lines, for a failure report: stderr's last lines first when they came before the last lines.
    var tail: String {
        state.withLock { state in
            let window = state.tail.first?.number ?? 0
            let earlier = state.errorTail.filter { $0.number < window }.map { "stderr: \($0.text)" }
            return (earlier + (earlier.isEmpty ? [] : ["..."]) + state.tail.map(\.text)).joined(separator: "\n")
        }
    }

    /// Sends pending lines every `interval` until `stop()`, or until cancelled: a cancelled wait ends at once (the
    /// step has ended and its caller flushes what is left; waiting out the interval added up to 250 ms to every
    /// step), but a send in progress is never cut off.
    func run() async {
        while !state.withLock({ $0.stopped }) {
            do { try await Task.sleep(for: Self.interval) } catch { return }
            // Its own task, which the caller's cancellation does not reach; awaited, so it never outlives `run`.
            await Task { await self.flush() }.value
        }
    }

    /// Ends `run()` after its current interval (cancel its task to end it at once).
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
