import ProvenanceCore

/// The ML graph `provenance bench lineage` loads: pipelines with daily runs of ExampleGen -> StatisticsGen ->
/// SchemaGen -> Transform -> Trainer (warm-started from the previous run's model, so model chains grow one link a
/// day) -> Evaluator (against the previous model as baseline) -> Pusher, every ExampleGen reading one of a few raw
/// datasets shared by many pipelines, every node in its pipeline's and its run's context.
struct LineageGraphWorkload {
    /// Artifacts and executions each run adds.
    static let artifactsPerRun = 7
    static let executionsPerRun = 7
    /// Events each run adds (the first run of a pipeline has two fewer: no previous model).
    static let eventsPerRun = 20

    let pipelines: Int
    let runs: Int
    let rawDatasets: Int

    /// The type ids by name.
    var types: [String: Int64] = [:]
    /// Ids of the shared raw datasets.
    var rawDatasetIDs: [Int64] = []
    /// Each pipeline's context id.
    var pipelineContextIDs: [Int64] = []
    /// Each pipeline's model ids, by day.
    var models: [[Int64]] = []

    init(pipelines: Int, runs: Int, rawDatasets: Int) {
        self.pipelines = pipelines
        self.runs = runs
        self.rawDatasets = rawDatasets
        models = Array(repeating: [], count: pipelines)
    }

    static let artifactTypes: [(String, String?, JSON)] = [
        ("RawData", "DATASET", [:]), ("Examples", "DATASET", ["span": "INT"]), ("ExampleStatistics", "STATISTICS", [:]),
        ("Schema", nil, [:]), ("TransformedExamples", "DATASET", [:]), ("Model", "MODEL", ["accuracy": "DOUBLE"]),
        ("ModelEvaluation", "METRICS", ["accuracy": "DOUBLE"]), ("PushedModel", "MODEL", [:]),
    ]
    static let executionTypes: [(String, String?)] = [
        ("ExampleGen", "PROCESS"), ("StatisticsGen", "PROCESS"), ("SchemaGen", "PROCESS"), ("Transform", "TRANSFORM"),
        ("Trainer", "TRAIN"), ("Evaluator", "EVALUATE"), ("Pusher", "DEPLOY"),
    ]

    /// The pipeline context name of pipeline `p` (what the filtered-list benchmark asks for).
    static func pipelineName(_ p: Int) -> String { "p\(p)" }

    /// Creates the types, the raw datasets and the pipeline contexts.
    mutating func setUp(_ client: BenchClient, base: String) async throws {
        for (name, baseType, properties) in Self.artifactTypes {
            types[name] = try await Self.createType(client, base, "artifact", name, baseType, properties)
        }
        for (name, baseType) in Self.executionTypes {
            types[name] = try await Self.createType(client, base, "execution", name, baseType, [:])
        }
        for name in ["Pipeline", "PipelineRun"] {
            types[name] = try await Self.createType(client, base, "context", name, nil, [:])
        }
        let raw: [JSON] = (0..<rawDatasets).map { ["type_id": .int(types["RawData"]!), "uri": .string("s3://raw/\($0)"), "name": .string("raw-\($0)")] }
        rawDatasetIDs = try await Self.ids(client.send(.POST, base + "/artifacts", json: ["artifacts": .array(raw)]), "artifacts")
        for start in stride(from: 0, to: pipelines, by: 1000) {
            let contexts: [JSON] = (start..<min(start + 1000, pipelines)).map {
                ["type_id": .int(types["Pipeline"]!), "name": .string(Self.pipelineName($0))]
            }
            pipelineContextIDs += try await Self.ids(client.send(.POST, base + "/contexts", json: ["contexts": .array(contexts)]), "contexts")
        }
    }

    private static func createType(
        _ client: BenchClient, _ base: String, _ kind: String, _ name: String, _ baseType: String?, _ properties: JSON
    ) async throws -> Int64 {
        var members: [(key: String, value: JSON)] = [("kind", .string(kind)), ("name", .string(name)), ("properties", properties)]
        if let baseType { members.append(("base_type", .string(baseType))) }
        let answer = try await client.send(.POST, base + "/types", json: .object(members))
        guard case .int(let id)? = answer["id"] else { throw BenchError("type \(name) answered \(answer)") }
        return id
    }

    private static func ids(_ answer: JSON, _ key: String) throws -> [Int64] {
        guard case .array(let nodes)? = answer[key] else { throw BenchError("expected \(key) in \(answer)") }
        return nodes.compactMap { if case .int(let id)? = $0["id"] { id } else { nil } }
    }

    /// A deterministic accuracy in 0.70...0.99 for pipeline `p` on day `day`.
    static func accuracy(_ p: Int, _ day: Int, salt: Int) -> Double {
        let hash = StableHash.fnv1a64("\(p)/\(day)/\(salt)")
        return 0.70 + Double(hash % 30) / 100
    }

    /// The `lineage:record` body of day `day` of pipelines `group`, and where each pipeline's new model sits in
    /// its artifacts.
    func runs(day: Int, group: Range<Int>) -> (body: [UInt8], modelIndexes: [Int]) {
        var modelIndexes: [Int] = []
        var artifacts: [JSON] = [], executions: [JSON] = [], contexts: [JSON] = []
        var events: [JSON] = [], attributions: [JSON] = [], associations: [JSON] = []
        var referenced: [Int64: Int] = [:]
        func reference(_ id: Int64) -> Int {
            if let index = referenced[id] { return index }
            artifacts.append(["id": .int(id)])
            referenced[id] = artifacts.count - 1
            return artifacts.count - 1
        }
        func artifact(_ type: String, _ uri: String, _ properties: JSON = [:]) -> Int {
            artifacts.append(["type_id": .int(types[type]!), "uri": .string(uri), "state": "LIVE", "properties": properties])
            return artifacts.count - 1
        }
        for p in group {
            let runName = "\(Self.pipelineName(p))-run-\(day)"
            let pipelineContext = contexts.count
            contexts.append(["id": .int(pipelineContextIDs[p])])
            let runContext = contexts.count
            contexts.append(["type_id": .int(types["PipelineRun"]!), "name": .string(runName)])
            let raw = reference(rawDatasetIDs[p % rawDatasetIDs.count])
            let previousModel = day > 0 ? reference(models[p][day - 1]) : nil
            let prefix = "s3://\(runName)"
            let examples = artifact("Examples", prefix + "/examples", ["span": .int(Int64(day))])
            let statistics = artifact("ExampleStatistics", prefix + "/statistics")
            let schema = artifact("Schema", prefix + "/schema")
            let transformed = artifact("TransformedExamples", prefix + "/transformed")
            let model = artifact("Model", prefix + "/model", ["accuracy": .double(Self.accuracy(p, day, salt: 0))])
            modelIndexes.append(model)
            let evaluation = artifact("ModelEvaluation", prefix + "/evaluation", ["accuracy": .double(Self.accuracy(p, day, salt: 1))])
            let pushed = artifact("PushedModel", prefix + "/pushed")
            let steps: [(String, [Int?], [Int])] = [
                ("ExampleGen", [raw], [examples]), ("StatisticsGen", [examples], [statistics]),
                ("SchemaGen", [statistics], [schema]), ("Transform", [examples, schema], [transformed]),
                ("Trainer", [transformed, schema, previousModel], [model]),
                ("Evaluator", [model, examples, previousModel], [evaluation]), ("Pusher", [model, evaluation], [pushed]),
            ]
            for (type, inputs, outputs) in steps {
                let execution = executions.count
                executions.append(["type_id": .int(types[type]!), "last_known_state": "COMPLETE"])
                for input in inputs.compactMap({ $0 }) {
                    events.append(["artifact_index": .int(Int64(input)), "execution_index": .int(Int64(execution)), "type": "INPUT"])
                }
                for output in outputs {
                    events.append(["artifact_index": .int(Int64(output)), "execution_index": .int(Int64(execution)), "type": "OUTPUT"])
                }
                for context in [pipelineContext, runContext] {
                    associations.append(["context_index": .int(Int64(context)), "execution_index": .int(Int64(execution))])
                }
            }
            for new in [examples, statistics, schema, transformed, model, evaluation, pushed] {
                for context in [pipelineContext, runContext] {
                    attributions.append(["context_index": .int(Int64(context)), "artifact_index": .int(Int64(new))])
                }
            }
        }
        let body = JSONWriter.bytes([
            "artifacts": .array(artifacts), "executions": .array(executions), "contexts": .array(contexts),
            "events": .array(events), "attributions": .array(attributions), "associations": .array(associations),
        ])
        return (body, modelIndexes)
    }

    /// Records the model ids of a day from a `lineage:record` answer.
    mutating func recordModels(group: Range<Int>, modelIndexes: [Int], answer: JSON) throws {
        guard case .array(let ids)? = answer["artifact_ids"] else { throw BenchError("lineage:record answered \(answer)") }
        for (p, index) in zip(group, modelIndexes) {
            guard ids.indices.contains(index), case .int(let model) = ids[index] else {
                throw BenchError("lineage:record answered fewer ids than it was sent")
            }
            models[p].append(model)
        }
    }
}
