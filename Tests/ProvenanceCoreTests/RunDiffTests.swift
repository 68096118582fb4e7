import ProvenanceCore
import Testing

/// The pure diff of two runs: inputs compared by artifact, type and name; steps on one side only; metrics paired by
/// step and name.
@Suite struct RunDiffRuleTests {
    static func task(_ step: String, inputs: [TaskArtifact], cachedFrom: TaskID? = nil, version: String = "1") -> RunTask {
        var task = RunTask(
            id: TaskID(1), runID: RunID(1), step: step, component: ComponentReference(name: "c", version: version), state: .succeeded,
            createTime: 0)
        task.inputs = inputs
        task.cachedFrom = cachedFrom
        return task
    }

    static func run(_ id: Int64, _ tasks: [RunTask], parameters: [String: JSON] = [:]) -> Run {
        Run(
            id: RunID(id), pipeline: "p", version: "v", state: .succeeded, history: [], parameters: parameters, labels: [:],
            cache: true, pipelineContextID: ContextID(1), runContextID: ContextID(2), createTime: 0, startTime: nil, endTime: nil,
            tasks: tasks, taskCounts: [:])
    }

    @Test func inputsAreTheSameNewerOrDifferent() {
        let data = { (id: Int64, type: String) in TaskArtifact(name: "data", artifactID: ArtifactID(id), type: type, uri: "s3://\(id)") }
        let a = Self.run(1, [
            Self.task("same", inputs: [data(10, "Dataset")]), Self.task("newer", inputs: [data(11, "Dataset")]),
            Self.task("renamed", inputs: [data(12, "Dataset")]), Self.task("retyped", inputs: [data(13, "Dataset")]),
            Self.task("gone", inputs: [data(14, "Dataset")], version: "1"),
        ])
        let b = Self.run(2, [
            Self.task("same", inputs: [data(10, "Dataset")]), Self.task("newer", inputs: [data(21, "Dataset")]),
            Self.task("renamed", inputs: [data(22, "Dataset")]), Self.task("retyped", inputs: [data(23, "Schema")]),
            Self.task("added", inputs: [], cachedFrom: TaskID(7), version: "2"),
        ])
        let names: [ArtifactID: String] = [ArtifactID(12): "acme-clicks", ArtifactID(22): "beta-clicks"]
        let diff = RunDiff.of(a, b, metricsA: [], metricsB: [], names: names)
        let changes = Dictionary(uniqueKeysWithValues: diff.inputs.map { ($0.step, $0.change) })
        #expect(changes == ["same": .same, "newer": .newer, "renamed": .different, "retyped": .different, "gone": .different])
        let added = diff.steps.first { $0.step == "added" }
        #expect(added?.component == RunDiff.Pair(a: nil, b: ComponentReference(name: "c", version: "2")))
        #expect(added?.cachedFrom.b == TaskID(7))
    }

    @Test func metricsPairByStepAndName() {
        let series = { (run: Int64, step: String?, name: String, value: Double) in
            MetricSeries(
                runID: RunID(run), taskID: step.map { _ in TaskID(run) }, step: step, name: name, points: 1, firstStep: 0,
                lastStep: 0, lastValue: value, lastTime: 0, minimum: value, maximum: value)
        }
        let diff = RunDiff.of(
            Self.run(1, []), Self.run(2, []),
            metricsA: [series(1, nil, "auc", 0.9), series(1, "train", "loss", 0.3)],
            metricsB: [series(2, nil, "auc", 0.8), series(2, "eval", "loss", 0.4)], names: [:])
        #expect(diff.metrics.map { "\($0.step ?? "-")/\($0.name)" } == ["-/auc", "eval/loss", "train/loss"])
        #expect(diff.metrics[0].delta.map { abs($0 + 0.1) < 1e-9 } == true)
        #expect(diff.metrics[1].a == nil && diff.metrics[1].delta == nil)
    }
}
