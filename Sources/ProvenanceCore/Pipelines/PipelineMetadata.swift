/// How pipelines and runs appear in the MLMD graph: the context types the engine records them under and the custom
/// properties it puts on each attempt's execution.
public enum PipelineMetadata {
    /// The context type of a pipeline (one context per pipeline name).
    public static let pipelineContextType = "Pipeline"
    /// The context type of a run, a child of its pipeline's context.
    public static let runContextType = "PipelineRun"

    /// The MLMD base type of an artifact type a component names, when the engine makes the type: a type named
    /// like a base type (`Dataset`, `Model`, `Metrics`, `Statistics`, in any case) or like TFX's (`Examples`,
    /// `ExampleStatistics`) gets it, so lineage questions by base type (`artifacts/{id}/provenance` asks for
    /// DATASET) find the engine's artifacts; any other name gets none.
    public static func baseType(ofArtifactType name: String) -> String? {
        switch name.lowercased() {
        case "dataset", "examples": "DATASET"
        case "model": "MODEL"
        case "metrics": "METRICS"
        case "statistics", "examplestatistics": "STATISTICS"
        default: nil
        }
    }

    /// The artifact type the engine makes for `name`.
    public static func artifactType(_ name: String) -> NodeType {
        NodeType(kind: .artifact, name: name, baseType: baseType(ofArtifactType: name))
    }

    /// The name of a run's context.
    public static func runContextName(pipeline: String, run: RunID) -> String { "\(pipeline)/run-\(run.rawValue)" }

    /// The custom properties of an attempt's execution.
    public static func attemptProperties(run: RunID, task: TaskID, step: String, attempt: Int, component: ComponentReference)
        -> [String: PropertyInput]
    {
        [
            "run_id": .typed(.int(run.rawValue)), "task_id": .typed(.int(task.rawValue)), "step": .typed(.string(step)),
            "attempt": .typed(.int(Int64(attempt))), "component": .typed(.string(component.description)),
        ]
    }

    /// The digest of a pipeline version, its content address: the SHA-256 of its spec (see `Digest`), 64 hex
    /// digits. Versions stored before digests were SHA-256 keep the 16-digit digest they were given.
    public static func digest(_ spec: PipelineSpec) -> String {
        Digest.sha256 { encoding in
            encoding.append("pipeline-version/1")
            encoding.append(spec.json)
        }
    }
}
