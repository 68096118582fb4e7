import ProvenanceCore
import ProvenanceStore
import ProvenanceTestSupport
import Synchronization
import Testing

/// The engine under real concurrency, on real PostgreSQL: racing executors, shared transactions, long polls.
@Suite struct EngineConcurrencyTests {
    @Test func concurrentFirstRunsOfANamespaceAllStart() async throws {
        try await EngineHarness.with { harness in
            try await harness.applyWide("first", width: 1)
            // The first runs create the namespace's engine types (PipelineRun, Dataset) at once.
            let runs = try await withThrowingTaskGroup(of: Run.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await harness.engine.submit(RunRequest(pipeline: "first", cache: false), namespace: "default") }
                }
                return try await group.reduce(into: [Run]()) { $0.append($1) }
            }
            #expect(Set(runs.map(\.id)).count == 8)
        }
    }

    @Test func executorsRacingForOneTaskGetExactlyOneLease() async throws {
        try await EngineHarness.with { harness in
            try await harness.applyWide("one", width: 1)
            var executors: [ExecutorID] = []
            for n in 1...8 { executors.append(try await harness.executor("racer-\(n)")) }
            for _ in 1...5 {
                _ = try await harness.engine.submit(RunRequest(pipeline: "one", cache: false), namespace: "default")
                let granted = try await withThrowingTaskGroup(of: [Lease].self) { group in
                    for executor in executors { group.addTask { try await harness.lease(executor, maximum: 1) } }
                    return try await group.reduce(into: [Lease]()) { $0 += $1 }
                }
                #expect(granted.count == 1, "one task, \(granted.count) leases")
                for lease in granted { _ = try await harness.engine.complete(lease.token, report: EngineHarness.report(lease)) }
            }
        }
    }

    @Test func aBadCompletionSharingATransactionFailsAloneAndTheOthersCommit() async throws {
        // One completion transaction at a time, so completions arriving together share one.
        try await EngineHarness.with(configure: { $0.completionConcurrency = 1; $0.completionBatch = 64 }) { harness in
            try await harness.applyWide("wide", width: 16)
            let executor = try await harness.executor("e")
            let run = try await harness.engine.submit(RunRequest(pipeline: "wide", cache: false), namespace: "default")
            let leases = try await harness.lease(executor, maximum: 16)
            #expect(leases.count == 16)
            let forgedIndex = 5
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for (index, lease) in leases.enumerated() {
                    group.addTask {
                        var token = lease.token
                        if index == forgedIndex { token.secret = LeaseToken.newSecret() }
                        do {
                            _ = try await harness.engine.complete(token, report: EngineHarness.report(lease))
                            return (index, true)
                        } catch {
                            #expect((error as? ProvenanceError)?.code == .leaseLost, "\(error)")
                            return (index, false)
                        }
                    }
                }
                return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            #expect(outcomes.filter { !$0.value }.map(\.key) == [forgedIndex])
            let tasks = try await harness.store.run(run.id, namespace: "default").tasks
            #expect(tasks.filter { $0.state == .succeeded }.count == 15)
            #expect(tasks.filter { $0.state == .running }.count == 1, "the forged one's task still runs under its real lease")
        }
    }

    @Test func aLongPollIsWokenByNewWorkAndOtherwiseAnsweredEmptyWhenItsWaitEnds() async throws {
        try await EngineHarness.with { harness in
            try await harness.applyWide("one", width: 1)
            let executor = try await harness.executor("poller")
            // Nothing queued: the poll ends empty when its wait does.
            #expect(try await harness.lease(executor, maximum: 1, wait: .milliseconds(300)).isEmpty)
            #expect(harness.engine.longPollsWoken == 0)
            // A poll waiting (up to the engine's limit) is woken by the task submitted meanwhile, and gets it.
            async let polled = harness.lease(executor, maximum: 1, wait: .seconds(30))
            try await eventually("the poll to wait") { harness.engine.waitingExecutors == 1 }
            _ = try await harness.engine.submit(RunRequest(pipeline: "one", cache: false), namespace: "default")
            let leases = try await polled
            #expect(leases.count == 1)
            #expect(harness.engine.waitingExecutors == 0)
            // Woken, not answered when its 30 s were up (which would also have found the task).
            #expect(harness.engine.longPollsWoken == 1)
        }
    }
}
