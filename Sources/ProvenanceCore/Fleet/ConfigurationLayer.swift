/// How specific a configuration layer is. A run's parameters come from the pipeline's defaults, then the layers
/// that apply to it from `global` to `customer` (each over the one before), then the run's own parameters.
public enum LayerLevel: String, Sendable, CaseIterable, Comparable {
    case global, tier, vertical, customer

    /// The run label a layer at this level matches (`tier=gold`); none for `global`.
    public var label: String? { self == .global ? nil : rawValue }

    /// Whether `lhs` is less specific than `rhs`.
    public static func < (lhs: LayerLevel, rhs: LayerLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A named set of parameter values (and resource-template swaps) that applies to the runs whose label of its level
/// has its value (`tier=gold`, `customer=acme`; every run for `global`), of one pipeline or of all.
public struct ConfigurationLayer: Sendable, Equatable {
    /// Unique in its namespace (a pipeline name's rules).
    public var name: String
    public var description: String?
    public var level: LayerLevel
    /// The label value it matches (nil for `global`).
    public var value: String?
    /// The pipeline it is for; nil for every pipeline.
    public var pipeline: String?
    /// Parameter values; a pipeline without one of these parameters leaves it aside.
    public var parameters: [String: JSON]
    /// Resource templates to use instead of others (`gpu-train` -> `gpu-train-large`) for the runs it applies to.
    public var templates: [String: String]

    /// Creates a layer.
    public init(
        name: String, level: LayerLevel, value: String? = nil, pipeline: String? = nil, parameters: [String: JSON] = [:],
        templates: [String: String] = [:], description: String? = nil
    ) {
        self.name = name
        self.level = level
        self.value = value
        self.pipeline = pipeline
        self.parameters = parameters
        self.templates = templates
        self.description = description
    }

    /// Whether it applies to a run of `pipeline` with `labels`.
    public func applies(toPipeline pipeline: String, labels: [String: String]) -> Bool {
        guard self.pipeline == nil || self.pipeline == pipeline else { return false }
        guard let label = level.label else { return true }
        return labels[label] == value
    }

    /// Whether it and `other` could both apply to one run at one level (two layers at one level for one label are
    /// refused: which one wins would be an accident).
    public func overlaps(_ other: ConfigurationLayer) -> Bool {
        name != other.name && level == other.level && value == other.value
            && (pipeline == nil || other.pipeline == nil || pipeline == other.pipeline)
    }

    /// Where it applies, for people: `tier=gold of personalization`, `every run`.
    public var scope: String {
        let match = level.label.map { "\($0)=\(value ?? "")" } ?? "every run"
        return pipeline.map { "\(match) of \($0)" } ?? match
    }
}

extension ConfigurationLayer {
    /// Reads `{"name", "description", "level", "value", "pipeline", "parameters", "templates"}`, naming the first
    /// bad field.
    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["name", "description", "level", "value", "pipeline", "parameters", "templates"])
        let name = try reader.requiredString("name")
        try PipelineNames.checkName(name, field: "name")
        let levelName = try reader.requiredString("level")
        guard let level = LayerLevel(rawValue: levelName) else {
            throw .invalid("level", "'\(levelName)' is not one of \(LayerLevel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let value = try reader.string("value")
        switch (level, value) {
        case (.global, .some): throw .invalid("value", "a global layer applies to every run; it matches no label value")
        case (.global, nil): break
        case (_, nil): throw .invalid("value", "a \(level.rawValue) layer needs the value of the run label '\(level.rawValue)' it applies to")
        case (_, let text?): try RunRequest.checkLabel(key: level.rawValue, value: text)
        }
        let pipeline = try reader.string("pipeline")
        if let pipeline { try PipelineNames.checkName(pipeline, field: "pipeline") }
        var parameters: [String: JSON] = [:]
        for member in try reader.members("parameters") ?? [] {
            try PipelineNames.checkJSONText(member.value, field: "parameters.\(member.key)")
            parameters[member.key] = member.value
        }
        var templates: [String: String] = [:]
        for member in try reader.members("templates") ?? [] {
            guard case .string(let replacement) = member.value else {
                throw .invalid("templates.\(member.key)", "expected the name of a resource template, got \(member.value.kindName)")
            }
            try PipelineNames.checkName(replacement, field: "templates.\(member.key)")
            templates[member.key] = replacement
        }
        let description = try reader.string("description")
        if let description { try Validation.checkText(description, field: "description") }
        self.init(
            name: name, level: level, value: value, pipeline: pipeline, parameters: parameters, templates: templates,
            description: description)
    }

    /// The canonical JSON form `init(json:)` reads.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "name", value: .string(name))]
        if let description { members.append((key: "description", value: .string(description))) }
        members.append((key: "level", value: .string(level.rawValue)))
        if let value { members.append((key: "value", value: .string(value))) }
        if let pipeline { members.append((key: "pipeline", value: .string(pipeline))) }
        members.append((key: "parameters", value: .object(parameters.keys.sorted().map { (key: $0, value: parameters[$0]!) })))
        members.append((key: "templates", value: .object(templates.keys.sorted().map { (key: $0, value: .string(templates[$0]!)) })))
        return .object(members)
    }
}
