import Logging
import ProvenanceCore
import ProvenanceHTTP
import ProvenanceOrchestrator
import ProvenanceStore
import ProvenanceTestSupport

/// The types of a small training pipeline, as the README's walk-through uses them.
func createPipelineTypes(_ server: TestServer) async throws {
    let types: [JSON] = [
        ["kind": "artifact", "name": "Dataset", "base_type": "DATASET", "properties": ["rows": "INT"]],
        ["kind": "artifact", "name": "Model", "base_type": "MODEL", "properties": ["accuracy": "DOUBLE"]],
        ["kind": "execution", "name": "Trainer", "base_type": "TRAIN", "properties": ["epochs": "INT"]],
        ["kind": "context", "name": "Pipeline"],
        ["kind": "context", "name": "Run"],
    ]
    for type in types {
        let reply = try await server.api(.POST, "/types", json: type)
        guard reply.status == 201 else { throw TestFailure("type fixture failed: \(reply.json)") }
    }
}

/// A training record: dataset in, model out, in a pipeline context.
func trainingRecord(dataset: String = "ds-1", pipeline: String = "p1") -> JSON {
    [
        "execution": ["type": "Trainer", "last_known_state": "COMPLETE", "properties": ["epochs": 10]],
        "inputs": [["type": "Dataset", "uri": .string("s3://data/\(dataset)"), "external_id": .string(dataset), "properties": ["rows": 1000]]],
        "outputs": [["type": "Model", "uri": "s3://models/m", "properties": ["accuracy": 0.93]]],
        "contexts": [["type": "Pipeline", "name": .string(pipeline)]],
    ]
}

/// Registers `produce@1` and the one-step pipeline `p` that runs it (nothing executes it until a lease is taken).
func createOneStepPipeline(_ server: TestServer) async throws {
    let component = try await server.api(.POST, "/components", json: PipelineBadInputTests.produce)
    guard component.status == 201 else { throw TestFailure("component fixture failed: \(component.json)") }
    let pipeline = try await server.api(.POST, "/pipelines", json: [
        "name": "p", "steps": ["m": ["component": "produce@1", "parameters": ["rows": 3]]],
    ])
    guard pipeline.status == 201 else { throw TestFailure("pipeline fixture failed: \(pipeline.json)") }
}

/// Registers an executor of one slot and takes a lease (waiting up to 10 s for a task), sending `headers`.
func leaseOneTask(_ server: TestServer, headers: [(String, String)] = []) async throws -> TestServer.Reply {
    let executor = try await server.request(.POST, "/api/v1/executors", json: ["name": "e", "capacity": ["slots": 1]])
    return try await server.request(
        .POST, "/api/v1/executors/\(executor.json.int("id")):lease", json: ["available": ["slots": 1], "wait_ms": 10_000],
        headers: headers)
}

/// Every route the REST router serves, as `METHOD /path/{parameter}` (built without a database).
func servedRoutes() throws -> Set<String> {
    let store = try offlineStore()
    let router = makeAPIRouter(
        engine: Engine(store: store, logger: Logger(label: "routes")), authorizer: Authorizer(store: store), metrics: { "" },
        limits: APIOptions(maximumBodyBytes: 1024))
    return Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
}
