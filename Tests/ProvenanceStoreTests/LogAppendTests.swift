import ProvenanceCore
@testable import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// An attempt's log as executors send it: batches at once, and more lines than an attempt may keep.
@Suite struct LogAppendTests {
    let engine = RunEngineTests()

    func lines(_ batch: Int, count: Int) -> [LogLine] {
        (1...count).map { LogLine(stream: .stdout, text: "batch \(batch) line \($0)") }
    }

    @Test func concurrentBatchesOfOneAttemptAreAllStoredWithDistinctNumbers() async throws {
        try await engine.withStore { store in
            let executor = try await store.registerExecutor(name: "test", labels: [:], capacity: RunEngineTests.capacity)
            let run = try await store.submitRun(RunRequest(pipeline: "train"), namespace: "default")
            let lease = try #require(try await store.lease(executor: executor.id, available: RunEngineTests.capacity, maximum: 1, duration: .seconds(30)).first)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for batch in 1...8 {
                    group.addTask { try await store.appendLogs(lease.token, lines: self.lines(batch, count: 50)) }
                }
                try await group.waitForAll()
            }
            let task = try await store.run(run, namespace: "default").tasks[0].id
            let stored = try await store.logs(task: task, attempt: 1, after: 0, limit: 1000, namespace: "default")
            #expect(stored.count == 400)
            #expect(stored.compactMap(\.sequence) == Array(Int64(1)...400))
            for batch in 1...8 {
                // Each batch's lines are stored together, in order.
                let own = stored.filter { $0.text.hasPrefix("batch \(batch) ") }
                #expect(own.map(\.text) == lines(batch, count: 50).map(\.text))
                let first = try #require(own.first?.sequence)
                #expect(own.compactMap(\.sequence) == Array(first..<(first + 50)))
            }
        }
    }

    @Test func anAttemptStoresAtMostItsCapAndSaysWhereTheLogWasCut() async throws {
        try await engine.withStore(maximumLogLines: 120) { store in
            let executor = try await store.registerExecutor(name: "test", labels: [:], capacity: RunEngineTests.capacity)
            let run = try await store.submitRun(RunRequest(pipeline: "train"), namespace: "default")
            let lease = try #require(try await store.lease(executor: executor.id, available: RunEngineTests.capacity, maximum: 1, duration: .seconds(30)).first)
            try await store.appendLogs(lease.token, lines: lines(1, count: 100))
            try await store.appendLogs(lease.token, lines: lines(2, count: 100))
            try await store.appendLogs(lease.token, lines: lines(3, count: 100))
            let task = try await store.run(run, namespace: "default").tasks[0].id
            let stored = try await store.logs(task: task, attempt: 1, after: 0, limit: 1000, namespace: "default")
            #expect(stored.count == 121)
            #expect(stored.last?.text.contains("the log was cut at 120 lines") == true)
            #expect(stored.last?.stream == .stderr)
            #expect(stored.compactMap(\.sequence) == Array(Int64(1)...121))
            // The step goes on: its completion is taken as usual.
            var outputs: [String: OutputReport] = [:]
            for output in lease.outputs { outputs[output.name] = OutputReport(uri: "/artifacts/" + output.path) }
            #expect(try await store.completeAttempt(lease.token, report: AttemptReport(outputs: outputs)).attemptState == .succeeded)
        }
    }
}
