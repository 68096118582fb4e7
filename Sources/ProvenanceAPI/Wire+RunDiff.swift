import ProvenanceCore

/// The REST form of a run diff (`GET .../runs/{id}:diff?with=OTHER`): both runs' summaries, then what differs,
/// each value as `{"a", "b", "changed"}`.
public enum WireRunDiff {
    public static func json(_ diff: RunDiff) -> JSON {
        .object([
            (key: "a", value: WireRun.summary(diff.a)),
            (key: "b", value: WireRun.summary(diff.b)),
            (key: "parameters", value: pairs(diff.parameters)),
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
