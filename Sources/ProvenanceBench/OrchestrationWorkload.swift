import ProvenanceCore

/// The components and pipelines `provenance bench orchestrate` runs: no-op steps (`true`) that each write one
/// Dataset, so every completion records an execution, an artifact, its events and attribution.
enum OrchestrationWorkload {
    /// A step with no inputs and one output.
    static let source = try! ComponentSpec(json: [
        "name": "bench-source", "version": "1", "outputs": ["out": "Dataset"], "run": ["command": ["true"]],
    ])
    /// A step that reads one Dataset and writes one.
    static let worker = try! ComponentSpec(json: [
        "name": "bench-worker", "version": "1", "inputs": ["in": "Dataset"], "outputs": ["out": "Dataset"],
        "run": ["command": ["true"]],
    ])
    /// A step that writes nothing, run by a real executor process.
    static let process = try! ComponentSpec(json: ["name": "bench-true", "version": "1", "run": ["command": ["true"]]])

    /// One step.
    static let single = try! PipelineSpec(json: ["name": "bench-one", "steps": ["only": ["component": "bench-source@1"]]])

    /// One step of `process`, for executors labelled `bench=process`.
    static let processSingle = try! PipelineSpec(json: [
        "name": "bench-process", "steps": ["only": ["component": "bench-true@1", "executor_labels": ["bench": "process"]]],
    ])

    /// A source and `width` workers that each read its output (`width + 1` tasks); with `fanIn`, a last step that
    /// waits for every worker too.
    static func fan(width: Int, fanIn: Bool) -> PipelineSpec {
        var steps: [(key: String, value: JSON)] = [(key: "source", value: ["component": "bench-source@1"])]
        for index in 0..<width {
            steps.append((key: "w\(index)", value: ["component": "bench-worker@1", "inputs": ["in": "source.out"]]))
        }
        if fanIn {
            steps.append((key: "sink", value: [
                "component": "bench-source@1", "after": .array((0..<width).map { .string("w\($0)") }),
            ]))
        }
        let name = fanIn ? "bench-fan-in-\(width + 2)" : "bench-fan-out-\(width + 1)"
        return try! PipelineSpec(json: ["name": .string(name), "steps": .object(steps)])
    }

    /// A chain of `length` steps, each reading the one before's Dataset.
    static func chain(length: Int) -> PipelineSpec {
        var steps: [(key: String, value: JSON)] = [(key: "c0", value: ["component": "bench-source@1"])]
        for index in 1..<length {
            steps.append((key: "c\(index)", value: ["component": "bench-worker@1", "inputs": ["in": .string("c\(index - 1).out")]]))
        }
        return try! PipelineSpec(json: ["name": .string("bench-chain-\(length)"), "steps": .object(steps)])
    }
}
