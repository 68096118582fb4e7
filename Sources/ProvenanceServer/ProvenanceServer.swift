import Logging
import ProvenanceCore
import ProvenanceHTTP
import ProvenanceStore
import ServiceLifecycle
import Synchronization

/// A built server: the store and every service, ready to run in one ServiceGroup.
public final class ProvenanceServer: Sendable {
    /// The store the adapters share.
    public let store: PostgresStore
    /// The services, in start order (shut down in reverse: the HTTP server drains before the pool closes, and
    /// the embedded cluster stops last).
    public let serviceGroup: ServiceGroup
    /// The trace exporter (when traces are exported), run beside the group and stopped after it, so it sends
    /// every span, the shutdown's own included.
    private let traceExport: ServiceGroup?
    private let shutdownWatch: ShutdownWatch
    private let httpPort: PortAnnouncement
    private let grpcPort: PortAnnouncement

    init(
        store: PostgresStore, serviceGroup: ServiceGroup, traceExport: ServiceGroup?, shutdownWatch: ShutdownWatch,
        httpPort: PortAnnouncement, grpcPort: PortAnnouncement
    ) {
        self.store = store
        self.serviceGroup = serviceGroup
        self.traceExport = traceExport
        self.shutdownWatch = shutdownWatch
        self.httpPort = httpPort
        self.grpcPort = grpcPort
    }

    /// Runs until SIGTERM/SIGINT (when built with signal handling) or `shutdown()`, then shuts down within the
    /// configured limits (see `ShutdownWatch`).
    public func run() async throws {
        let watch = shutdownWatch
        let services = serviceGroup
        let traceExport = traceExport
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await watch.run() }
            do {
                try await withThrowingTaskGroup(of: Void.self) { exporting in
                    if let traceExport { exporting.addTask { try await traceExport.run() } }
                    do {
                        try await services.run()
                    } catch {
                        await traceExport?.triggerGracefulShutdown()
                        throw error
                    }
                    // Still under the watch's limit: the exporter sends what is queued, then stops.
                    await traceExport?.triggerGracefulShutdown()
                    try? await exporting.waitForAll()
                }
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    /// Begins a graceful shutdown: stop accepting, drain in-flight requests, close the pool, stop the cluster.
    public func shutdown() async {
        shutdownWatch.request()
        // Also directly: the watch is not running when the server was never run.
        await serviceGroup.triggerGracefulShutdown()
    }

    /// The bound HTTP port, once the server listens.
    public func listeningHTTPPort() async -> Int {
        await httpPort.value()
    }

    /// The bound gRPC port, once the MLMD service listens.
    public func listeningGRPCPort() async -> Int {
        await grpcPort.value()
    }
}

/// A value announced once (the bound port) that any number of tasks can wait for.
final class PortAnnouncement: Sendable {
    private let state = Mutex<(port: Int?, waiters: [CheckedContinuation<Int, Never>])>((nil, []))

    func announce(_ port: Int) {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The port, if announced.
    var current: Int? { state.withLock { $0.port } }

    func value() async -> Int {
        await withCheckedContinuation { continuation in
            let port: Int? = state.withLock { state in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }
}
