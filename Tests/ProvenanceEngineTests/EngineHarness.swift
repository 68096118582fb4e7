import Logging
import ProvenanceCore
import ProvenanceOrchestrator
import ProvenanceStore
import ProvenanceTestSupport

/// An engine over a store on a fresh database, its background services (the queue listener, the reaper) running,
/// with a one-step component `step` and pipelines built from it registered.
struct EngineHarness {
    let store: PostgresStore
    let engine: Engine

    static let step = try! ComponentSpec(json: [
        "name": "step", "version": "1", "outputs": ["data": "Dataset"], "run": ["command": ["true"]],
    ])
    static let capacity = ExecutorCapacity(slots: 64, cpu: 64, memoryMB: 65536)

    /// Runs `body` with a harness; `configure` adjusts the store's options first. Without `services`, nothing runs
    /// in the background: the test takes every step itself.
    static func with(
        configure: (inout StoreOptions) -> Void = { _ in }, services: Bool = true, settings: EngineSettings = EngineSettings(),
        _ body: (EngineHarness) async throws -> Void
    ) async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        var options = StoreOptions(maximumConnections: 8)
        options.connectionWaitLimit = TestCluster.connectionWait
        configure(&options)
        let logger = Logger(label: "engine-tests")
        let store = try PostgresStore(endpoint: endpoint, options: options, logger: logger)
        let engine = Engine(store: store, settings: settings, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            if services { for service in engine.services { group.addTask { try await service.run() } } }
            defer { group.cancelAll() }
            _ = try await store.registerComponent(Self.step, namespace: "default")
            try await body(EngineHarness(store: store, engine: engine))
        }
    }

    /// Applies a pipeline of `width` independent steps named `name`.
    func applyWide(_ name: String, width: Int) async throws {
        _ = try await store.applyPipeline(
            try PipelineSpec(json: [
                "name": .string(name), "steps": .object((1...width).map { (key: "s\($0)", value: ["component": "step@1"]) }),
            ]),
            namespace: "default")
    }

    /// Registers an executor.
    func executor(_ name: String) async throws -> ExecutorID {
        try await store.registerExecutor(name: name, labels: [:], capacity: Self.capacity).id
    }

    /// Leases without waiting.
    func lease(_ executor: ExecutorID, maximum: Int, wait: Duration = .zero) async throws -> [Lease] {
        try await engine.lease(executor: executor, available: Self.capacity, maximum: maximum, wait: wait)
    }

    /// The report of a successful attempt of `lease`.
    static func report(_ lease: Lease) -> AttemptReport {
        AttemptReport(outputs: Dictionary(uniqueKeysWithValues: lease.outputs.map { ($0.name, OutputReport(uri: "/a/\($0.path)")) }))
    }
}
