import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Starts a server's graceful shutdown (on SIGTERM or SIGINT, or when asked) and bounds it: if the services have
/// not all stopped within `limit` (the grace for requests plus the time cancelled work has to stop), it logs the
/// ones still running and, when the server owns its process, exits with status 3. A server inside another process
/// (the tests) only logs and waits on: nothing it does may end its host.
final class ShutdownWatch: Sendable {
    let group: ServiceGroup
    let running: RunningServices
    let limit: Duration
    let handlesSignals: Bool
    let exitsWhenOverrun: Bool
    let logger: Logger
    private let requested = AsyncStream<Void>.makeStream()

    /// The exit status of a server whose shutdown overran its limit.
    static let overrunExitStatus: Int32 = 3

    init(
        group: ServiceGroup, running: RunningServices, limit: Duration, handlesSignals: Bool, exitsWhenOverrun: Bool,
        logger: Logger
    ) {
        self.group = group
        self.running = running
        self.limit = limit
        self.handlesSignals = handlesSignals
        self.exitsWhenOverrun = exitsWhenOverrun
        self.logger = logger
    }

    /// What asked first for the shutdown (a signal's name, or `requested`); nil when cancelled before either.
    private func firstRequest() async -> String? {
        let stream = requested.stream
        let signals = handlesSignals
        return await withTaskGroup(of: String?.self) { waits in
            if signals {
                waits.addTask {
                    for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) { return "\(signal)" }
                    return nil
                }
            }
            waits.addTask {
                for await _ in stream { return "requested" }
                return nil
            }
            let first = await waits.next()
            waits.cancelAll()
            return first ?? nil
        }
    }

    /// Asks for a graceful shutdown.
    func request() {
        requested.continuation.yield()
    }

    /// Waits for a signal or a request, shuts the group down gracefully, and acts if that overruns `limit`. Ends
    /// when cancelled (the group has stopped).
    func run() async {
        guard let reason = await firstRequest(), !Task.isCancelled else { return }
        logger.info("shutting down", metadata: ["reason": "\(reason)"])
        await group.triggerGracefulShutdown()
        do {
            try await Task.sleep(for: limit)
        } catch {
            return  // Everything stopped in time.
        }
        let left = running.names
        logger.error(
            "shutdown overran its limit; still running", metadata: ["services": "\(left)", "limit": "\(limit)"])
        if exitsWhenOverrun { exit(Self.overrunExitStatus) }
    }
}

/// The names of a server's services that are running, for the log of a shutdown that overran.
final class RunningServices: Sendable {
    private let names_ = Mutex<[String: Int]>([:])

    /// The services still running, sorted.
    var names: [String] { names_.withLock { $0.filter { $0.value > 0 }.keys.sorted() } }

    /// `service`, counted as running while its `run()` is.
    func tracking(_ service: any Service) -> any Service {
        TrackedService(inner: service, name: String(describing: type(of: service)), running: self)
    }

    fileprivate func started(_ name: String) { names_.withLock { $0[name, default: 0] += 1 } }
    fileprivate func stopped(_ name: String) { names_.withLock { $0[name, default: 1] -= 1 } }
}

private struct TrackedService: Service {
    let inner: any Service
    let name: String
    let running: RunningServices

    func run() async throws {
        running.started(name)
        defer { running.stopped(name) }
        try await inner.run()
    }
}
