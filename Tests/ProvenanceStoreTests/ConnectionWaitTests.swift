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
        let endpoint = try await TestCluster.shared.freshDatabase()
        let store = try PostgresStore(endpoint: endpoint, maximumConnections: 1, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            let holding = Mutex(false)
            let holder = Task {
                try await store.perform { connection in
                    holding.withLock { $0 = true }
                    // Longer than the wait limit: the held connection must not be taken away.
                    try await connection.query("SELECT pg_sleep(\(Int(PostgresStore.connectionWaitLimit.components.seconds) + 2))", logger: Logger(label: "test"))
                    return 1
                }
            }
            while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            await #expect {
                try await store.perform { _ in 2 }
            } throws: { error in
                (error as? ProvenanceError)?.code == .unavailable
            }
            #expect(try await holder.value == 1, "the operation holding the connection finished")
        }
    }

    @Test func aCallerThatGivesUpDoesNotMarkTheDatabaseUnreachable() async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        let store = try PostgresStore(endpoint: endpoint, maximumConnections: 1, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            let holding = Mutex(false)
            let holder = Task {
                try await store.perform { connection in
                    holding.withLock { $0 = true }
                    try await connection.query("SELECT pg_sleep(1)", logger: Logger(label: "test"))
                    return 1
                }
            }
            while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            let waiter = Task { try await store.perform { _ in 2 } }
            waiter.cancel()
            await #expect(throws: ProvenanceError.self) { try await waiter.value }
            #expect(store.health.isReachable, "a cancelled wait for a connection is not a database outage")
            #expect(try await holder.value == 1)
            #expect(try await store.perform { _ in 3 } == 3)
        }
    }

    @Test func theWatchdogExpiresOnlyWhatIsStillWatched() async throws {
        let watchdog = LeaseWatchdog()
        let expired = Mutex<[String]>([])
        _ = watchdog.watch(limit: .milliseconds(50)) { expired.withLock { $0.append("overdue") } }
        let finished = watchdog.watch(limit: .milliseconds(50)) { expired.withLock { $0.append("finished") } }
        watchdog.unwatch(finished)
        for _ in 0..<100 where expired.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: LeaseWatchdog.tick * 2)
        #expect(expired.withLock { $0 } == ["overdue"])
    }
}
