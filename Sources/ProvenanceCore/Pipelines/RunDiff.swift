/// What changed between two runs, in one document: "why is today's model worse than yesterday's". Pure: made from
/// the two runs' details, their metric series and the names of their input artifacts (`RunDiff.of`).
public struct RunDiff: Sendable, Equatable {
    /// A value on each side (nil: absent there).
    public struct Pair<Value: Sendable & Equatable>: Sendable, Equatable {
        public var a: Value?
        public var b: Value?
        public var changed: Bool { a != b }

        public init(a: Value?, b: Value?) { (self.a, self.b) = (a, b) }
    }

    /// How the artifact one input of one step read compares across the runs.
    public enum InputChange: String, Sendable, Equatable {
        /// The same artifact.
        case same
        /// In run b, another artifact of the same type and name (or, both unnamed, fed to the same input), made
        /// later than run a's.
        case newer
        /// In run b, another artifact of the same type and name, made earlier than run a's.
        case older
        /// An artifact of another type or name, or present on one side only.
        case different
    }

    public struct Input: Sendable, Equatable {
        public var step: String
        public var input: String
        public var a: TaskArtifact?
        public var b: TaskArtifact?
        public var change: InputChange
    }

    public struct Step: Sendable, Equatable {
        public var step: String
        public var component: Pair<ComponentReference>
        public var state: Pair<TaskState>
        /// Whether each side's task reused an earlier task's outputs (and whose).
        public var cachedFrom: Pair<TaskID>
        public var parameters: [String: Pair<JSON>]
    }

    public struct Metric: Sendable, Equatable {
        /// The step whose task wrote it; nil for the runs' own metrics.
        public var step: String?
        public var name: String
        public var a: Double?
        public var b: Double?
        public var delta: Double? { a.flatMap { a in b.map { $0 - a } } }
    }

    public var a: Run
    public var b: Run
    public var parameters: [String: Pair<JSON>]
    public var steps: [Step]
    public var inputs: [Input]
    public var metrics: [Metric]

    /// The diff of runs `a` and `b`, with their series (`metricsA`, `metricsB`) and the names of the artifacts their
    /// tasks read (`names`, by artifact id; an unnamed artifact is absent).
    public static func of(
        _ a: Run, _ b: Run, metricsA: [MetricSeries], metricsB: [MetricSeries], names: [ArtifactID: String]
    ) -> RunDiff {
        func pairs(_ left: [String: JSON], _ right: [String: JSON]) -> [String: Pair<JSON>] {
            Dictionary(uniqueKeysWithValues: Set(left.keys).union(right.keys).map { ($0, Pair(a: left[$0], b: right[$0])) })
        }
        let tasksA = Dictionary(a.tasks.map { ($0.step, $0) }, uniquingKeysWith: { first, _ in first })
        let tasksB = Dictionary(b.tasks.map { ($0.step, $0) }, uniquingKeysWith: { first, _ in first })
        var steps: [Step] = []
        var inputs: [Input] = []
        for step in Set(tasksA.keys).union(tasksB.keys).sorted() {
            let (left, right) = (tasksA[step], tasksB[step])
            steps.append(Step(
                step: step, component: Pair(a: left?.component, b: right?.component), state: Pair(a: left?.state, b: right?.state),
                cachedFrom: Pair(a: left?.cachedFrom, b: right?.cachedFrom),
                parameters: pairs(left?.parameters ?? [:], right?.parameters ?? [:])))
            let inputsA = Dictionary((left?.inputs ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            let inputsB = Dictionary((right?.inputs ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for input in Set(inputsA.keys).union(inputsB.keys).sorted() {
                let (x, y) = (inputsA[input], inputsB[input])
                inputs.append(Input(step: step, input: input, a: x, b: y, change: change(x, y, names: names)))
            }
        }
        let keyed = { (series: [MetricSeries]) in
            Dictionary(series.map { (MetricKey(step: $0.step, name: $0.name), $0.lastValue) }, uniquingKeysWith: { first, _ in first })
        }
        let (valuesA, valuesB) = (keyed(metricsA), keyed(metricsB))
        let metrics = Set(valuesA.keys).union(valuesB.keys).sorted {
            ($0.step ?? "", $0.name) < ($1.step ?? "", $1.name)
        }.map { Metric(step: $0.step, name: $0.name, a: valuesA[$0], b: valuesB[$0]) }
        return RunDiff(a: a, b: b, parameters: pairs(a.parameters, b.parameters), steps: steps, inputs: inputs, metrics: metrics)
    }

    private struct MetricKey: Hashable {
        let step: String?
        let name: String
    }

    private static func change(_ a: TaskArtifact?, _ b: TaskArtifact?, names: [ArtifactID: String]) -> InputChange {
        guard let a, let b else { return .different }
        if a.artifactID == b.artifactID { return .same }
        guard a.type == b.type, names[a.artifactID] == names[b.artifactID] else { return .different }
        return b.artifactID > a.artifactID ? .newer : .older
    }
}
