import Logging
import PostgresNIO
import ProvenanceCore
import ServiceLifecycle

/// Listens, on a connection of its own, for the notification a transaction sends when it queues tasks (`LISTEN`),
/// and reports each to `onQueued` with how many were queued. Any server replica's commit reaches every replica
/// listening, so executors waiting on any of them are woken, without polling. After (re)connecting it reports
/// `Int.max` once: tasks may have been queued while it was not listening. A lost connection is opened again after
/// `retryInterval`.
public struct TaskQueueListener: Service {
    private let store: PostgresStore
    private let onQueued: @Sendable (Int) -> Void
    /// How long to wait before listening again after the connection failed.
    public static let retryInterval: Duration = .seconds(1)

    /// Creates a listener reporting to `onQueued`.
    public init(store: PostgresStore, onQueued: @escaping @Sendable (Int) -> Void) {
        self.store = store
        self.onQueued = onQueued
    }

    /// Listens until cancelled or shut down gracefully. Stopping is not an error: whatever the connection throws
    /// once the listener is cancelled (a closed connection, a cancelled connect) ends it quietly.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await listenOnce()
                } catch where !Task.isCancelled {
                    store.logger.warning("task notifications interrupted; listening again", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: Self.retryInterval)
                } catch {
                    return
                }
            }
        }
    }

    private func listenOnce() async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try store.endpoint.connectionConfiguration(), id: 800, logger: store.logger)
        do {
            try await connection.listen(on: TaskQueue.channel) { notifications in
                onQueued(Int.max)
                for try await notification in notifications {
                    onQueued(Int(notification.payload) ?? 1)
                }
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
