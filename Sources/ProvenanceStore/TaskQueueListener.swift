import Logging
import PostgresNIO
import ProvenanceCore
import ServiceLifecycle

/// Listens, on a connection of its own, for the notification a transaction sends when it queues tasks (`LISTEN`),
/// and reports each to `onQueued` with how many were queued. Any server replica's commit reaches every replica
/// listening, so executors waiting on any of them are woken, without polling. After (re)connecting it reports
/// `Int.max` once: tasks may have been queued while it was not listening. A lost connection is opened again after
/// `retryInterval`, and marks the database unreachable meanwhile (`DatabaseHealth`). A transaction that left ready tasks for later (a long chain served from the cache) is reported to
/// `onReleasesDeferred`, which is also called once after (re)connecting; a transaction that recorded events of the
/// live stream (`stream_events`), to `onStreamEvents`.
public struct TaskQueueListener: Service {
    private let store: PostgresStore
    private let onQueued: @Sendable (Int) -> Void
    private let onReleasesDeferred: @Sendable () -> Void
    private let onStreamEvents: @Sendable () -> Void
    /// How long to wait before listening again after the connection failed.
    public static let retryInterval: Duration = .seconds(1)

    /// Creates a listener reporting to `onQueued` and `onReleasesDeferred`.
    public init(
        store: PostgresStore, onQueued: @escaping @Sendable (Int) -> Void,
        onReleasesDeferred: @escaping @Sendable () -> Void = {}, onStreamEvents: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.onQueued = onQueued
        self.onReleasesDeferred = onReleasesDeferred
        self.onStreamEvents = onStreamEvents
    }

    /// Listens until cancelled or shut down gracefully. Stopping is not an error: whatever the connection throws
    /// once the listener is cancelled (a closed connection, a cancelled connect) ends it quietly.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await listenOnce()
                } catch where !Task.isCancelled {
                    // Its connection is the first to see the database go: requests fail fast with 503 from now on,
                    // rather than each waiting out a pooled connection, until the probe finds the database again.
                    store.health.markUnreachable()
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
                onReleasesDeferred()
                onStreamEvents()
                for try await notification in notifications {
                    if notification.payload == TaskQueue.releasesDeferred {
                        onReleasesDeferred()
                    } else if notification.payload == TaskQueue.streamEvents {
                        onStreamEvents()
                    } else {
                        onQueued(Int(notification.payload) ?? 1)
                    }
                }
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }
}
