import Logging
import ProvenanceCore
@testable import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// The run engine through the store, on real PostgreSQL: runs advance as tasks complete, lineage is recorded,
/// identical tasks are cached, fencing tokens fence.
@Suite struct RunEngineTests {
    static let produce = try! ComponentSpec(json: [
        "name": "produce", "version": "1", "outputs": ["data": "Dataset"], "parameters": ["rows": ["type": "INT", "default": 10]],
        "run": ["command": ["produce", "{{parameters.rows}}", "{{outputs.data.uri}}"]],
    ])
    static let consume = try! ComponentSpec(json: [
        "name": "consume", "version": "1", "inputs": ["data": "Dataset"], "outputs": ["model": "Model"],
        "run": ["command": ["train", "{{inputs.data.uri}}", "{{outputs.model.uri}}"]], "retries": ["max_attempts": 2, "backoff": "0s"],
    ])
    static let pipeline = try! PipelineSpec(json: [
        "name": "train", "parameters": ["rows": ["type": "INT", "default": 5]],
        "steps": [
            "make": ["component": "produce@1", "parameters": ["rows": "{{parameters.rows}}"]],
            "fit": ["component": "consume@1", "inputs": ["data": "make.data"]],
        ],
    ])
    static let capacity = ExecutorCapacity(slots: 4, cpu: 4, memoryMB: 4096)

    func withStore(maximumLogLines: Int = 100_000, _ body: (PostgresStore) async throws -> Void) async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        var options = StoreOptions(maximumConnections: 4)
        options.maximumLogLinesPerAttempt = maximumLogLines
        options.connectionWaitLimit = TestCluster.connectionWait
        let store = try PostgresStore(endpoint: endpoint, options: options, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            _ = try await store.registerComponent(Self.produce, namespace: "default")
            _ = try await store.registerComponent(Self.consume, namespace: "default")
            _ = try await store.applyPipeline(Self.pipeline, namespace: "default")
            try await body(store)
        }
    }

    /// Leases one task and completes it with one output file per declared output.
    func runOne(_ store: PostgresStore, _ executor: ExecutorInfo) async throws -> Lease {
        let leases = try await store.lease(executor: executor.id, available: Self.capacity, maximum: 1, duration: .seconds(30))
        let lease = try #require(leases.first)
        var outputs: [String: OutputReport] = [:]
        for output in lease.outputs { outputs[output.name] = OutputReport(uri: "/artifacts/" + output.path) }
        let outcome = try await store.completeAttempt(lease.token, report: AttemptReport(outputs: outputs))
        #expect(outcome.attemptState == .succeeded && !outcome.repeated)
        return lease
    }

    @Test func aRunAdvancesAsItsTasksCompleteAndRecordsItsLineage() async throws {
        try await withStore { store in
            let executor = try await store.registerExecutor(name: "test", labels: [:], capacity: Self.capacity)
            let runID = try await store.submitRun(RunRequest(pipeline: "train", parameters: ["rows": 7]), namespace: "default")
            var run = try await store.run(runID, namespace: "default")
            #expect(run.state == .pending)
            #expect(run.tasks.map(\.state) == [.queued, .pending])
            #expect(run.tasks[1].waitReason == "waiting for inputs from make")
            let make = try await runOne(store, executor)
            #expect(make.step == "make")
            #expect(make.parameters["rows"] == 7)
            #expect(make.outputs.map(\.path) == ["default/runs/\(runID)/make/attempt-1/data"])
            let fit = try await runOne(store, executor)
            #expect(fit.inputs.map(\.uri) == ["/artifacts/default/runs/\(runID)/make/attempt-1/data"])
            run = try await store.run(runID, namespace: "default")
            #expect(run.state == .succeeded)
            #expect(run.history.map(\.state) == [.pending, .running, .succeeded])
            #expect(run.history.map(\.event) == [.submit, .lease, .finish])
            #expect(run.tasks.map(\.state) == [.succeeded, .succeeded])
            let model = try #require(run.tasks[1].outputs.first)
            let provenance = try await store.artifactLineage(
                of: model.artifactID.rawValue, direction: .upstream, selection: .baseType("Dataset"), maxHops: 10,
                nodeLimit: 100, namespace: "default")
            #expect(provenance.related.map(\.artifact.id) == [run.tasks[0].outputs[0].artifactID.rawValue])
        }
    }

    @Test func anIdenticalRunIsServedFromTheCache() async throws {
        try await withStore { store in
            let executor = try await store.registerExecutor(name: "test", labels: [:], capacity: Self.capacity)
            let first = try await store.submitRun(RunRequest(pipeline: "train"), namespace: "default")
            _ = try await runOne(store, executor)
            _ = try await runOne(store, executor)
            let second = try await store.submitRun(RunRequest(pipeline: "train"), namespace: "default")
            let run = try await store.run(second, namespace: "default")
            #expect(run.state == .succeeded)
            #expect(run.history.map(\.event) == [.submit, .cacheHit, .finish])
            #expect(run.tasks.map(\.state) == [.cached, .cached])
            let original = try await store.run(first, namespace: "default")
            #expect(run.tasks.map(\.cachedFrom) == original.tasks.map { Optional($0.id) })
            #expect(run.tasks[1].outputs.map(\.artifactID) == original.tasks[1].outputs.map(\.artifactID))
            #expect(run.tasks.allSatisfy { $0.executionID != nil })
            let uncached = try await store.submitRun(RunRequest(pipeline: "train", cache: false), namespace: "default")
            #expect(try await store.run(uncached, namespace: "default").tasks.map(\.state) == [.queued, .pending])
        }
    }

    @Test func aStaleTokenIsRefusedAndARepeatedCompletionIsAnsweredAgain() async throws {
        try await withStore { store in
            let executor = try await store.registerExecutor(name: "test", labels: [:], capacity: Self.capacity)
            _ = try await store.submitRun(RunRequest(pipeline: "train"), namespace: "default")
            let lease = try #require(try await store.lease(executor: executor.id, available: Self.capacity, maximum: 1, duration: .seconds(30)).first)
            let report = AttemptReport(outputs: ["data": OutputReport(uri: "/a")])
            let forged = LeaseToken(taskID: lease.token.taskID, attempt: lease.token.attempt, secret: LeaseToken.newSecret())
            await #expect { try await store.completeAttempt(forged, report: report) } throws: { ($0 as? ProvenanceError)?.code == .leaseLost }
            #expect(try await store.completeAttempt(lease.token, report: report).repeated == false)
            #expect(try await store.completeAttempt(lease.token, report: report).repeated == true)
            await #expect {
                try await store.completeAttempt(lease.token, report: AttemptReport(outputs: ["data": OutputReport(uri: "/other")]))
            } throws: { ($0 as? ProvenanceError)?.code == .leaseLost }
        }
    }

    @Test func failuresAreRetriedThenFailTheRunAndSkipWhatFollows() async throws {
        try await withStore { store in
            let executor = try await store.registerExecutor(name: "test", labels: [:], capacity: Self.capacity)
            let runID = try await store.submitRun(RunRequest(pipeline: "train"), namespace: "default")
            _ = try await runOne(store, executor)
            for attempt in 1...2 {
                let lease = try #require(try await store.lease(executor: executor.id, available: Self.capacity, maximum: 1, duration: .seconds(30)).first)
                #expect(lease.token.attempt == attempt)
                let outcome = try await store.failAttempt(lease.token, failure: AttemptFailure(error: "exit 3", exitCode: 3))
                #expect(outcome.taskState == (attempt == 1 ? .queued : .failed))
            }
            let run = try await store.run(runID, namespace: "default")
            #expect(run.state == .failed)
            #expect(run.history.map(\.event) == [.submit, .lease, .finish])
            #expect(run.tasks[1].attempts.map(\.state) == [.failed, .failed])
            #expect(run.tasks[1].attempts.map(\.exitCode) == [3, 3])
        }
    }

    @Test func anExpiredLeaseIsReapedAndTheTaskLeasedAgain() async throws {
        try await withStore { store in
            let executor = try await store.registerExecutor(name: "test", labels: [:], capacity: Self.capacity)
            _ = try await store.submitRun(RunRequest(pipeline: "train"), namespace: "default")
            _ = try await runOne(store, executor)
            let lost = try #require(try await store.lease(executor: executor.id, available: Self.capacity, maximum: 1, duration: .milliseconds(1)).first)
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await store.reapExpiredLeases().reaped == 1)
            let heartbeat = try await store.heartbeat(executor: executor.id, tokens: [lost.token], duration: .seconds(30), vouched: true)
            #expect(heartbeat[0].leaseExpires == nil, "the lost lease is no longer held")
            let again = try #require(try await store.lease(executor: executor.id, available: Self.capacity, maximum: 1, duration: .seconds(30)).first)
            #expect(again.token.taskID == lost.token.taskID && again.token.attempt == 2)
            await #expect {
                try await store.completeAttempt(lost.token, report: AttemptReport(outputs: ["model": OutputReport(uri: "/late")]))
            } throws: { ($0 as? ProvenanceError)?.code == .leaseLost }
        }
    }
}
