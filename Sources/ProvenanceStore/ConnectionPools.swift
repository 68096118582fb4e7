import Logging
import PostgresNIO
import Synchronization

/// The store's connection pool, replaced by a fresh one when the database comes back after an outage.
///
/// postgres-nio's pool backs off between attempts to connect to a database that went away (100 ms growing by a
/// quarter each attempt, up to a minute), and offers no way to try again at once. After an outage of a few
/// seconds its next attempt may be many seconds away, so a server whose database was back in a second answered
/// 503 for up to ten (seen in the outage test). Here the database probe, seeing the database answer again, asks
/// for a new pool (`replace`): operations from then on take connections from it, and the old one is shut down once
/// the operations it lent connections to have ended (or after `drainLimit`).
final class ConnectionPools: Sendable {
    /// One pool and the operations that hold or wait for its connections.
    final class Generation: Sendable {
        let client: PostgresClient
        let inUse = Atomic<Int>(0)
        private let retirement: AsyncStream<Void>
        private let retire: AsyncStream<Void>.Continuation

        private let isStarted = Atomic<Bool>(false)
        private let starting: AsyncStream<Void>
        private let start: AsyncStream<Void>.Continuation

        init(_ client: PostgresClient) {
            self.client = client
            (retirement, retire) = AsyncStream.makeStream(of: Void.self)
            (starting, start) = AsyncStream.makeStream(of: Void.self)
        }

        /// Runs the pool until cancelled.
        func run() async {
            isStarted.store(true, ordering: .releasing)
            start.finish()
            await client.run()
        }

        /// Returns once the pool runs (at once, but for the operations of a server's first moments), so no lease
        /// is asked of a pool before it has been started.
        func started() async {
            guard !isStarted.load(ordering: .acquiring) else { return }
            for await _ in starting {}
        }

        /// Marks the pool as replaced.
        func markRetired() { retire.finish() }

        /// Returns once the pool is replaced (or the task is cancelled).
        func retired() async { for await _ in retirement {} }
    }

    private let makeClient: @Sendable () -> PostgresClient
    private let current: Mutex<Generation>
    private let started: AsyncStream<Generation>.Continuation
    private let starts: AsyncStream<Generation>
    /// How long a retired pool waits for its operations before it is shut down (they fail then).
    static let drainLimit: Duration = .seconds(30)

    init(_ makeClient: @escaping @Sendable () -> PostgresClient) {
        self.makeClient = makeClient
        let first = Generation(makeClient())
        current = Mutex(first)
        (starts, started) = AsyncStream.makeStream(of: Generation.self)
        started.yield(first)
    }

    /// The current pool.
    var client: PostgresClient { current.withLock { $0 }.client }

    /// Runs `body` with a connection of the current pool.
    func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let generation = current.withLock { $0 }
        generation.inUse.add(1, ordering: .relaxed)
        defer { generation.inUse.subtract(1, ordering: .relaxed) }
        await generation.started()
        return try await generation.client.withConnection(body)
    }

    /// Puts a fresh pool in place of the current one, which is shut down once its operations have ended.
    func replace() {
        let fresh = Generation(makeClient())
        let old = current.withLock { current in
            defer { current = fresh }
            return current
        }
        started.yield(fresh)
        old.markRetired()
    }

    /// Runs every pool until cancelled; a retired one until its operations have ended.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await generation in starts {
                group.addTask { await Self.run(generation) }
            }
        }
    }

    /// Ends `run()` (a cancelled store stops every pool).
    func finish() { started.finish() }

    private static func run(_ generation: Generation) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await generation.run() }
            await generation.retired()
            let deadline = ContinuousClock.now + drainLimit
            while !Task.isCancelled, generation.inUse.load(ordering: .relaxed) > 0, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(50))
            }
            group.cancelAll()
        }
    }
}
