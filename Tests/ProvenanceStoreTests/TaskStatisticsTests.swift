import Logging
import PostgresNIO
import ProvenanceCore
@testable import ProvenanceStore
import ProvenanceTestSupport
import Testing

/// A run that at least doubles the task tables has them analyzed, so the engine's statements are planned for the
/// tables as they are, not as they were when empty; a small one leaves them alone.
@Suite struct TaskStatisticsTests {
    static let step = try! ComponentSpec(json: [
        "name": "step", "version": "1", "outputs": ["data": "Dataset"], "run": ["command": ["true"]],
    ])

    static func pipeline(_ name: String, width: Int) throws -> PipelineSpec {
        try PipelineSpec(json: ["name": .string(name), "steps": .object((1...width).map { (key: "s\($0)", value: ["component": "step@1"]) })])
    }

    static func analyzedTasks(_ store: PostgresStore) async throws -> Double {
        var tuples = -1.0
        for try await value in try await store.client.query("SELECT reltuples::float8 FROM pg_class WHERE oid = 'tasks'::regclass").decode(Double.self) {
            tuples = value
        }
        return tuples
    }

    /// How often the task table was analyzed by a command (autovacuum's analyses and vacuums are counted apart).
    static func manualAnalyses(_ store: PostgresStore) async throws -> Int64 {
        var count: Int64 = -1
        for try await value in try await store.client.query(
            "SELECT pg_stat_get_analyze_count('tasks'::regclass)"
        ).decode(Int64.self) { count = value }
        return count
    }

    @Test func aRunThatDoublesTheTaskTablesHasThemAnalyzed() async throws {
        let endpoint = try await TestCluster.shared.freshDatabase()
        var options = StoreOptions(maximumConnections: 2)
        options.connectionWaitLimit = TestCluster.connectionWait
        let store = try PostgresStore(endpoint: endpoint, options: options, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.run() }
            defer { group.cancelAll() }
            _ = try await store.registerComponent(Self.step, namespace: "default")
            _ = try await store.applyPipeline(try Self.pipeline("big", width: 1_500), namespace: "default")
            _ = try await store.applyPipeline(try Self.pipeline("small", width: 10), namespace: "default")
            _ = try await store.submitRun(RunRequest(pipeline: "big", cache: false), namespace: "default")
            await store.refreshTaskStatistics(afterAdding: 1_500)
            #expect(try await Self.analyzedTasks(store) == 1_500)
            #expect(try await Self.manualAnalyses(store) == 1)
            // Ten more tasks do not double 1,500: nothing is analyzed (autovacuum may still vacuum the table, which
            // renews its row count too, so the count of analyses is what tells).
            _ = try await store.submitRun(RunRequest(pipeline: "small", cache: false), namespace: "default")
            await store.refreshTaskStatistics(afterAdding: 10)
            #expect(try await Self.manualAnalyses(store) == 1)
        }
    }
}
