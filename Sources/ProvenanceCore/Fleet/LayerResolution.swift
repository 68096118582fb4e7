/// Where a run's parameter value came from.
public enum ParameterSource: Sendable, Equatable {
    /// The run's own parameters (a submission's, or its schedule's).
    case run
    /// A configuration layer.
    case layer(name: String, level: LayerLevel, value: String?)
    /// The pipeline's default.
    case pipelineDefault

    /// `{"from": "run" | "layer" | "default", "layer", "level", "value"}`.
    public var json: JSON {
        switch self {
        case .run: return ["from": "run"]
        case .pipelineDefault: return ["from": "default"]
        case .layer(let name, let level, let value):
            var members: [(key: String, value: JSON)] = [
                (key: "from", value: "layer"), (key: "layer", value: .string(name)), (key: "level", value: .string(level.rawValue)),
            ]
            if let value { members.append((key: "value", value: .string(value))) }
            return .object(members)
        }
    }

    /// Reads `json`'s form; nil for anything else.
    public init?(json: JSON) {
        switch json["from"] {
        case "run": self = .run
        case "default": self = .pipelineDefault
        case "layer":
            guard case .string(let name)? = json["layer"], case .string(let levelName)? = json["level"],
                let level = LayerLevel(rawValue: levelName)
            else { return nil }
            let value: String? = if case .string(let text)? = json["value"] { text } else { nil }
            self = .layer(name: name, level: level, value: value)
        default: return nil
        }
    }

    /// For people: `run`, `default`, `layer gold (tier=gold)`.
    public var text: String {
        switch self {
        case .run: "run"
        case .pipelineDefault: "default"
        case .layer(let name, let level, let value): "layer \(name) (\(level.label.map { "\($0)=\(value ?? "")" } ?? "global"))"
        }
    }
}

/// A run's parameters once its configuration layers are applied: the values to plan the run with (the run's own,
/// then the most specific layer's, for each parameter the pipeline has), and where every parameter came from.
public struct ResolvedParameters: Sendable, Equatable {
    /// What the run is planned with (parameters no layer or run gave take their defaults in the plan).
    public var given: [String: JSON]
    /// Where each of the pipeline's parameters came from.
    public var sources: [String: ParameterSource]
    /// Resource templates swapped by the layers (`gpu-train` -> `gpu-train-large`), the most specific winning.
    public var templates: [String: String]

    /// Applies `layers` (those of the run's namespace; the ones that apply to it are picked here) to a run of
    /// `pipeline` with `labels` and its own `given` parameters. A layer's value that does not fit the parameter's
    /// type is an error naming the layer.
    public init(
        pipeline: PipelineSpec, labels: [String: String], given: [String: JSON], layers: [ConfigurationLayer]
    ) throws(ProvenanceError) {
        let applying = layers.filter { $0.applies(toPipeline: pipeline.name, labels: labels) }.sorted { $0.level < $1.level }
        self.given = given
        sources = [:]
        templates = [:]
        for layer in applying {
            for (from, to) in layer.templates { templates[from] = to }
        }
        for parameter in pipeline.parameters {
            if given[parameter.name] != nil {
                sources[parameter.name] = .run
            } else if let layer = applying.last(where: { $0.parameters[parameter.name] != nil }) {
                let value = layer.parameters[parameter.name]!
                guard let typed = parameter.type.coerce(value) else {
                    throw .invalid(
                        "layers.\(layer.name).parameters.\(parameter.name)",
                        "expected a value of type \(parameter.type.rawValue) for pipeline \(pipeline.name), got \(value.kindName)")
                }
                self.given[parameter.name] = typed
                sources[parameter.name] = .layer(name: layer.name, level: layer.level, value: layer.value)
            } else if parameter.defaultValue != nil {
                sources[parameter.name] = .pipelineDefault
            }
        }
    }
}
