import ProvenanceCore

/// The REST form of a run diff (`GET .../runs/{id}:diff?with=OTHER`): both runs' summaries, then what differs,
/// each value as `{"a", "b", "changed"}`.
public enum WireRunDiff {
    public static func json(_ diff: RunDiff) -> JSON {
        .object([
            (key: "a", value: WireRun.summary(diff.a)),
            (key: "b", value: WireRun.summary(diff.b)),
            (key: "parameters", value: parameterPairs(diff)),
            (key: "steps", value: .array(diff.steps.map { step in
                .object([
                    (key: "step", value: .string(step.step)),
                    (key: "component", value: pair(step.component) { .string($0.description) }),
                    (key: "state", value: pair(step.state) { .string($0.name) }),
                    (key: "cached_from", value: pair(step.cachedFrom) { .int($0.rawValue) }),
                    (key: "parameters", value: pairs(step.parameters)),
                ])
            })),
            (key: "inputs", value: .array(diff.inputs.map { input in
                .object([
                    (key: "step", value: .string(input.step)), (key: "input", value: .string(input.input)),
                    (key: "a", value: input.a.map(artifact) ?? .null), (key: "b", value: input.b.map(artifact) ?? .null),
                    (key: "change", value: .string(input.change.rawValue)),
                ])
            })),
            (key: "metrics", value: .array(diff.metrics.map { metric in
                var members: [(key: String, value: JSON)] = []
                if let step = metric.step { members.append((key: "step", value: .string(step))) }
                members += [
                    (key: "name", value: .string(metric.name)), (key: "a", value: metric.a.map(JSON.double) ?? .null),
                    (key: "b", value: metric.b.map(JSON.double) ?? .null), (key: "delta", value: metric.delta.map(JSON.double) ?? .null),
                ]
                return .object(members)
            })),
        ])
    }

    private static func pair<Value>(_ pair: RunDiff.Pair<Value>, _ encode: (Value) -> JSON) -> JSON {
        .object([
            (key: "a", value: pair.a.map(encode) ?? .null), (key: "b", value: pair.b.map(encode) ?? .null),
            (key: "changed", value: .bool(pair.changed)),
        ])
    }

    /// The run parameters' pairs, each with where either value came from (`from`: `{"a", "b"}`, as
    /// `ParameterSource.text` says it), so a changed learning rate says which layer set it.
    private static func parameterPairs(_ diff: RunDiff) -> JSON {
        .object(diff.parameters.keys.sorted().map { name in
            guard case .object(var members) = pair(diff.parameters[name]!, { $0 }) else { return (key: name, value: .null) }
            let (a, b) = (diff.a.parameterSources[name], diff.b.parameterSources[name])
            if a != nil || b != nil {
                members.append((key: "from", value: [
                    "a": a.map { .string($0.text) } ?? .null, "b": b.map { .string($0.text) } ?? .null,
                ]))
            }
            return (key: name, value: .object(members))
        })
    }

    private static func pairs(_ values: [String: RunDiff.Pair<JSON>]) -> JSON {
        .object(values.keys.sorted().map { (key: $0, value: pair(values[$0]!) { $0 }) })
    }

    private static func artifact(_ artifact: TaskArtifact) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "artifact_id", value: .int(artifact.artifactID.rawValue)), (key: "type", value: .string(artifact.type)),
        ]
        if let uri = artifact.uri { members.append((key: "uri", value: .string(uri))) }
        return .object(members)
    }
}
