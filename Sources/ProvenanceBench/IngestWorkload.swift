import ProvenanceCore

/// The ids of the types the ingest benchmark writes.
struct IngestTypes: Sendable {
    let dataset: Int64
    let model: Int64
    let trainer: Int64
    let run: Int64
}

/// The rows of one benchmark record: a Trainer execution that read a new Dataset and wrote a new Model, the two
/// events, and a new run context holding all three. The same record is written over REST and by plain SQL.
enum IngestWorkload {
    /// Creates the benchmark's types in `namespace`, returning their ids.
    static func setUp(_ client: BenchClient, namespace: String) async throws -> IngestTypes {
        func type(_ kind: String, _ name: String, base: String?, properties: JSON) async throws -> Int64 {
            var body: JSON = ["kind": .string(kind), "name": .string(name), "properties": properties]
            if let base, case .object(var members) = body {
                members.append((key: "base_type", value: .string(base)))
                body = .object(members)
            }
            let answer = try await client.send(.POST, "/api/v1/namespaces/\(namespace)/types", json: body)
            guard case .int(let id)? = answer["id"] else { throw BenchError("type \(name) answered without an id: \(answer)") }
            return id
        }
        return IngestTypes(
            dataset: try await type("artifact", "Dataset", base: "DATASET", properties: ["rows": "INT"]),
            model: try await type("artifact", "Model", base: "MODEL", properties: ["accuracy": "DOUBLE"]),
            trainer: try await type("execution", "Trainer", base: "TRAIN", properties: ["epochs": "INT"]),
            run: try await type("context", "PipelineRun", base: nil, properties: [:]))
    }

    static func dataset(_ record: Int, _ types: IngestTypes) -> JSON {
        [
            "type_id": .int(types.dataset), "uri": .string("s3://bench/data/\(record)"),
            "external_id": .string("data-\(record)"), "state": "LIVE", "properties": ["rows": 1000],
        ]
    }

    static func model(_ record: Int, _ types: IngestTypes) -> JSON {
        ["type_id": .int(types.model), "uri": .string("s3://bench/model/\(record)"), "state": "LIVE", "properties": ["accuracy": 0.93]]
    }

    static func trainer(_ types: IngestTypes) -> JSON {
        ["type_id": .int(types.trainer), "last_known_state": "COMPLETE", "properties": ["epochs": 10]]
    }

    static func run(_ record: Int, _ types: IngestTypes) -> JSON {
        ["type_id": .int(types.run), "name": .string("run-\(record)")]
    }

    /// The `executions:record` body of record number `record`.
    static func executionRecord(_ record: Int, _ types: IngestTypes) -> [UInt8] {
        JSONWriter.bytes([
            "execution": trainer(types),
            "inputs": [dataset(record, types)],
            "outputs": [model(record, types)],
            "contexts": [run(record, types)],
        ])
    }

    /// The `lineage:record` body of records `records`, with each record's own events, attributions and
    /// association (not MLMD's all-to-all default, which would join every node to every run).
    static func lineageRecord(_ records: Range<Int>, _ types: IngestTypes) -> [UInt8] {
        var artifacts: [JSON] = [], executions: [JSON] = [], contexts: [JSON] = []
        var events: [JSON] = [], attributions: [JSON] = [], associations: [JSON] = []
        for (k, record) in records.enumerated() {
            let input = JSON.int(Int64(2 * k)), output = JSON.int(Int64(2 * k + 1)), index = JSON.int(Int64(k))
            artifacts += [dataset(record, types), model(record, types)]
            executions.append(trainer(types))
            contexts.append(run(record, types))
            events += [
                ["artifact_index": input, "execution_index": index, "type": "INPUT"],
                ["artifact_index": output, "execution_index": index, "type": "OUTPUT"],
            ]
            attributions += [["context_index": index, "artifact_index": input], ["context_index": index, "artifact_index": output]]
            associations.append(["context_index": index, "execution_index": index])
        }
        return JSONWriter.bytes([
            "artifacts": .array(artifacts), "executions": .array(executions), "contexts": .array(contexts),
            "events": .array(events), "attributions": .array(attributions), "associations": .array(associations),
        ])
    }
}
