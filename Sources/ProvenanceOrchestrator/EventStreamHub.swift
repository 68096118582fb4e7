import Logging
import ProvenanceCore
import ProvenanceStore
import ServiceLifecycle
import Synchronization

/// Reads the live stream's events (`stream_events`) once per replica and hands each to every subscriber whose
/// filter takes it. It reads when a transaction announces events (`TaskQueueListener`), and every `pollInterval`
/// while anyone subscribes (an event is read only once every older transaction has ended, which the announcement
/// may precede). A subscriber that falls `bufferLimit` events behind is dropped with a reason rather than held in
/// memory; old events are pruned after `retention`.
public final class EventStreamHub: Service, Sendable {
    /// Why a subscription ended, when the hub ended it.
    public enum Ending: Sendable, Equatable {
        case tooSlow(Int)
        case shutdown
    }

    /// One subscriber: its events, and how its subscription ended if the hub ended it.
    public final class Subscription: Sendable {
        public let events: AsyncStream<StreamEvent>
        /// Where the live events start: everything up to it is read from the database (`PostgresStore.streamEvents`).
        public let start: StreamCursor
        private let ended = Mutex<Ending?>(nil)
        fileprivate let id: Int
        fileprivate let filter: StreamFilter
        fileprivate let continuation: AsyncStream<StreamEvent>.Continuation

        fileprivate init(id: Int, filter: StreamFilter, start: StreamCursor, limit: Int) {
            (self.id, self.filter, self.start) = (id, filter, start)
            (events, continuation) = AsyncStream.makeStream(of: StreamEvent.self, bufferingPolicy: .bufferingOldest(limit))
        }

        /// How the hub ended the subscription, if it did.
        public var ending: Ending? { ended.withLock { $0 } }

        fileprivate func end(_ reason: Ending) {
            ended.withLock { $0 = $0 ?? reason }
            continuation.finish()
        }
    }

    private struct State {
        var cursor: StreamCursor?
        var subscribers: [Int: Subscription] = [:]
        var nextID = 0
    }

    let store: PostgresStore
    let logger: Logger
    private let state = Mutex(State())
    private let wakeups = Wakeups()
    public static let pollInterval: Duration = .milliseconds(100)
    public static let bufferLimit = 10_000
    public static let readBatch = 1_000
    public let retention: Duration

    public init(store: PostgresStore, retention: Duration = .seconds(3600), logger: Logger) {
        (self.store, self.retention, self.logger) = (store, retention, logger)
    }

    /// Reads soon (a transaction announced events).
    public func wake() { wakeups.wake() }

    /// Subscribes to the events `filter` takes from now on; cancel with `unsubscribe`.
    public func subscribe(_ filter: StreamFilter) async throws(ProvenanceError) -> Subscription {
        let start = try await currentCursor()
        return state.withLock { state in
            state.nextID += 1
            // The hub's cursor now, which is at or past `start`: what comes after it is handed over live.
            let subscription = Subscription(
                id: state.nextID, filter: filter, start: max(state.cursor ?? start, start), limit: Self.bufferLimit)
            state.subscribers[state.nextID] = subscription
            return subscription
        }
    }

    public func unsubscribe(_ subscription: Subscription) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: subscription.id) }
        subscription.continuation.finish()
    }

    /// How many subscribe now.
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// The cursor the hub has read to (the database's newest visible event the first time).
    private func currentCursor() async throws(ProvenanceError) -> StreamCursor {
        if let cursor = state.withLock({ $0.cursor }) { return cursor }
        let cursor = try await store.streamEnd()
        return state.withLock { state in
            if state.cursor == nil { state.cursor = cursor }
            return state.cursor!
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            await withDiscardingTaskGroup { group in
                // While anyone subscribes, a pass every `pollInterval` besides those the notifications ask for.
                group.addTask { [self] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: Self.pollInterval)
                        if subscriberCount > 0 { wakeups.wake() }
                    }
                }
                var lastPrune = ContinuousClock.now
                for await _ in wakeups.stream {
                    guard subscriberCount > 0 else { continue }
                    do throws(ProvenanceError) {
                        try await readNewEvents()
                        if lastPrune.duration(to: .now) > .seconds(60) {
                            lastPrune = .now
                            try await store.pruneStreamEvents(olderThan: retention)
                        }
                    } catch {
                        logger.debug("could not read stream events", metadata: ["error": "\(error.message)"])
                    }
                }
                group.cancelAll()
            }
        }
        let subscribers = state.withLock { $0.subscribers.values }
        for subscriber in subscribers { subscriber.end(.shutdown) }
    }

    private func readNewEvents() async throws(ProvenanceError) {
        var cursor = try await currentCursor()
        while true {
            let events = try await store.streamEvents(after: cursor, limit: Self.readBatch)
            guard let last = events.last else { return }
            cursor = last.cursor
            let subscribers = state.withLock { state in
                state.cursor = cursor
                return Array(state.subscribers.values)
            }
            for subscriber in subscribers {
                for event in events where subscriber.filter.matches(event) && event.cursor > subscriber.start {
                    if case .dropped = subscriber.continuation.yield(event) {
                        unsubscribe(subscriber)
                        subscriber.end(.tooSlow(Self.bufferLimit))
                        break
                    }
                }
            }
            if events.count < Self.readBatch { return }
        }
    }
}
