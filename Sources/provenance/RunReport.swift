import ProvenanceCore

/// A run printed for people: its state and times, parameters and labels, a table of its tasks, and the artifacts
/// each read and wrote.
struct RunReport {
    let run: Run

    init(_ run: Run) {
        self.run = run
    }

    func print() {
        Swift.print("run \(run.id.rawValue)  \(run.pipeline) version \(run.version)  \(run.state.name)  "
            + "created \(TimeText.date(run.createTime))  \(TimeText.duration(from: run.startTime, to: run.endTime))")
        if !run.parameters.isEmpty {
            Swift.print("parameters: " + run.parameters.keys.sorted().map { name in
                // A layer's value says which layer gave it.
                let layer: String = if case .layer(let layerName, _, _)? = run.parameterSources[name] { " (layer \(layerName))" } else { "" }
                return "\(name)=\(Self.text(run.parameters[name]!))\(layer)"
            }.joined(separator: " "))
        }
        if !run.labels.isEmpty {
            Swift.print("labels: " + run.labels.keys.sorted().map { "\($0)=\(run.labels[$0]!)" }.joined(separator: " "))
        }
        if let schedule = run.schedule {
            let time = RFC3339Time.text(microseconds: schedule.scheduledTime, fraction: false)
            Swift.print("scheduled: \(schedule.name.map { "by \($0) " } ?? "")for \(time)")
        }
        Swift.print("MLMD contexts: pipeline \(run.pipelineContextID.rawValue), run \(run.runContextID.rawValue)\n")
        var table = TextTable(["STEP", "TASK", "STATE", "ATTEMPTS", "DURATION", "EXECUTION", "DETAIL"])
        for task in run.tasks {
            let detail: String = switch task.state {
            case .succeeded, .cached: task.state == .cached ? RunFollower.describe(task) : ""
            default: String(RunFollower.describe(task).drop(while: { $0 != ":" && $0 != "(" }).drop(while: { $0 == ":" || $0 == " " }))
            }
            table.add([
                task.step, "\(task.id.rawValue)", task.state.name, "\(task.attempts.count)",
                TimeText.duration(from: task.startTime, to: task.endTime), task.executionID.map { "\($0.rawValue)" } ?? "",
                detail,
            ])
        }
        table.print(empty: "")
        let moved = run.tasks.filter { !$0.inputs.isEmpty || !$0.outputs.isEmpty }
        guard !moved.isEmpty else { return }
        Swift.print("\nartifacts:")
        for task in moved {
            for input in task.inputs { Swift.print("  \(task.step) read  \(Self.describe(input))") }
            for output in task.outputs { Swift.print("  \(task.step) wrote \(Self.describe(output))") }
        }
    }

    /// `model: Model 42 at file:///...`.
    static func describe(_ artifact: TaskArtifact) -> String {
        "\(artifact.name): \(artifact.type) \(artifact.artifactID.rawValue)" + (artifact.uri.map { " at \($0)" } ?? "")
    }

    /// A parameter's value: text as it is, anything else as JSON.
    static func text(_ value: JSON) -> String {
        if case .string(let text) = value { return text }
        return JSONWriter.string(value)
    }
}
