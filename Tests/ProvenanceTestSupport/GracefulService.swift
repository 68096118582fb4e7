import Logging
import ServiceLifecycle

/// Runs `service` (a test's own HTTP server, say) for the length of `body`, then shuts it down gracefully rather
/// than by cancellation: a NIO server cancelled while it has just accepted a connection traps ("Deinited
/// NIOAsyncWriter without calling finish()", swift-nio#3481), and the server under test may be connecting to it at
/// that moment.
public func withGracefulService<T: Sendable>(
    _ service: some Service, logger: Logger, _ body: () async throws -> T
) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        let result: T
        do {
            result = try await body()
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}
