import Logging
import PostgresNIO
import ProvenanceCore
@testable import ProvenanceStore
import ProvenanceTestSupport
import Synchronization
import Testing

/// A run's state never lags its tasks: the transaction that ends a run's last task ends the run, so no reader
/// ever sees every task ended and the run still going, however many tasks end at once.
@Suite struct RunFinishTests {
    static let step = try! ComponentSpec(json: [
        "name": "step", "version": "1", "outputs": ["data": "Dataset"], "run": ["command": ["true"]],
    ])
    static let width = 24
    static let wide = try! PipelineSpec(json: [
        "name": "wide",
        "steps": .object((1...width).map { (key: "s\($0)", value: ["component": "step@1"]) }),
    ])

    @Test func noReaderSeesARunActiveAfterItsLastTaskEndedWhileManyEndAtOnce() async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        var options = StoreOptions(maximumConnections: 8)
        options.connectionWaitLimit = TestCluster.connectionWait
        options.completionConcurrency = 4
        options.completionBatch = 2
        let store = try PostgresStore(endpoint: endpoint, options: options, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            _ = try await store.registerComponent(Self.step, namespace: "default")
            _ = try await store.applyPipeline(Self.wide, namespace: "default")
            let executor = try await store.registerExecutor(
                name: "wide", labels: [:], capacity: ExecutorCapacity(slots: Self.width, cpu: 64, memoryMB: 65536))
            for round in 1...3 {
                let run = try await store.submitRun(RunRequest(pipeline: "wide", cache: false), namespace: "default")
                let leases = try await store.lease(
                    executor: executor.id, available: ExecutorCapacity(slots: Self.width, cpu: 64, memoryMB: 65536),
                    maximum: Self.width, duration: .seconds(60))
                #expect(leases.count == Self.width)
                let done = Atomic<Bool>(false)
                let watcher = try await DatabaseSession.open(store)
                // One statement, one snapshot: the run's state beside its unfinished tasks.
                async let lagging: Int = {
                    var seen = 0
                    while !done.load(ordering: .relaxed) {
                        if try await watcher.runLagsItsTasks(run.rawValue) { seen += 1 }
                    }
                    return seen
                }()
                try await withThrowingTaskGroup(of: Void.self) { completions in
                    for lease in leases {
                        completions.addTask {
                            let outputs = Dictionary(uniqueKeysWithValues: lease.outputs.map { ($0.name, OutputReport(uri: "/a/\(round)/\($0.path)")) })
                            _ = try await store.completeAttempt(lease.token, report: AttemptReport(outputs: outputs))
                        }
                    }
                    try await completions.waitForAll()
                }
                done.store(true, ordering: .relaxed)
                #expect(try await lagging == 0, "a reader saw every task ended and the run still active")
                await watcher.close()
                // Ended with its last task: no sweep needed.
                #expect(try await store.run(run, namespace: "default").state == .succeeded)
            }
        }
    }
}
