import ProvenanceCore
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
        precondition(reply.status == 201, "type fixture failed: \(reply.json)")
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
