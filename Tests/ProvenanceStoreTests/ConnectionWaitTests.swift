import Logging
import PostgresNIO
import ProvenanceCore
@testable import ProvenanceStore
import ProvenanceTestSupport
import Synchronization
import Testing

/// An operation that cannot get a pooled connection gives up with `unavailable` after the wait limit instead of
/// queueing until the pool's circuit breaker trips; one that gets its connection is never cut short.
@Suite struct ConnectionWaitTests {
    @Test func waitingForABusyPoolEndsWithUnavailable() async throws {
        // Longer than the wait limit: the held connection must not be taken away.
        try await withItsOnlyConnectionHeld(for: Int(PostgresStore.connectionWaitLimit.components.seconds) + 2) { store in
            await #expect {
                try await store.perform { _ in 2 }
            } throws: { error in
                (error as? ProvenanceError)?.code == .unavailable
            }
        }
    }

    @Test func aCallerThatGivesUpDoesNotMarkTheDatabaseUnreachable() async throws {
        try await withItsOnlyConnectionHeld(for: 1) { store in
            let waiter = Task { try await store.perform { _ in 2 } }
            waiter.cancel()
            await #expect(throws: ProvenanceError.self) { try await waiter.value }
            #expect(store.health.isReachable, "a cancelled wait for a connection is not a database outage")
        } afterwards: { store async throws in
            #expect(try await store.perform { _ in 3 } == 3)
        }
    }

    /// On a store of one pooled connection, runs `whileHeld` while an operation holds that connection for
    /// `seconds`, checks that the holder finished unharmed, then runs `afterwards`.
    private func withItsOnlyConnectionHeld(
        for seconds: Int, _ whileHeld: (PostgresStore) async throws -> Void,
        afterwards: (PostgresStore) async throws -> Void = { _ in }
    ) async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        let store = try PostgresStore(endpoint: endpoint, options: StoreOptions(maximumConnections: 1), logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            let holding = Mutex(false)
            let holder = Task {
                try await store.perform { connection in
                    holding.withLock { $0 = true }
                    try await connection.query("SELECT pg_sleep(\(seconds))", logger: Logger(label: "test"))
                    return 1
                }
            }
            while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            try await whileHeld(store)
            #expect(try await holder.value == 1, "the operation holding the connection finished")
            try await afterwards(store)
        }
    }

    @Test func theWatchdogExpiresOnlyWhatIsStillWatched() async throws {
        let watchdog = LeaseWatchdog()
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await watchdog.run() }
            defer { group.cancelAll() }
            let expired = Mutex<[String]>([])
            _ = watchdog.watch(limit: .milliseconds(50)) { end in
                expired.withLock { $0.append(end == .overdue ? "overdue" : "wrong end") }
            }
            let finished = watchdog.watch(limit: .milliseconds(50)) { _ in expired.withLock { $0.append("finished") } }
            watchdog.unwatch(finished)
            for _ in 0..<100 where expired.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(50)) }
            try await Task.sleep(for: LeaseWatchdog.tick * 2)
            #expect(expired.withLock { $0 } == ["overdue"])
            // Woken again after it went idle.
            _ = watchdog.watch(limit: .milliseconds(50)) { _ in expired.withLock { $0.append("later") } }
            for _ in 0..<100 where expired.withLock({ $0.count < 2 }) { try await Task.sleep(for: .milliseconds(50)) }
            #expect(expired.withLock { $0 } == ["overdue", "later"])
            // A replaced pool ends every wait at once, long before its limit, saying so.
            _ = watchdog.watch(limit: .seconds(600)) { end in
                expired.withLock { $0.append(end == .poolReplaced ? "replaced" : "wrong end") }
            }
            watchdog.endAll(.poolReplaced)
            #expect(expired.withLock { $0 } == ["overdue", "later", "replaced"])
        }
    }
}
