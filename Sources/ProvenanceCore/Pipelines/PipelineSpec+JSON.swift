extension PipelineSpec {
    /// Reads a pipeline from its JSON form, naming the first bad field (checks that need the components are
    /// `validate(components:)`'s).
    ///
    /// `{"name", "description", "parameters": {"NAME": {"type", "default"}}, "steps": {"STEP": {"component":
    /// "name@version", "inputs": {"INPUT": "step.output" | {"artifact_id": 42} | {"uri": "..."} |
    /// {"parameter": "NAME"} | {"select": {"type", "state", "scope", "filter"}, "optional": true}},
    /// "parameters": {"NAME": value or "text with {{parameters.NAME}}"}, "after": ["step"], "cache": false,
    /// "executor_labels": {"gpu": "a100"}}}}`.
    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["name", "description", "parameters", "steps"])
        let name = try reader.requiredString("name")
        try PipelineNames.checkName(name, field: "name")
        guard let steps = try reader.members("steps") else { throw .invalid("steps", "is required") }
        self.init(
            name: name, description: try reader.string("description"),
            parameters: try ComponentSpec.parameters(reader, "parameters"),
            steps: try steps.map { member throws(ProvenanceError) in try Self.step(member.key, member.value) })
    }

    private static func step(_ name: String, _ json: JSON) throws(ProvenanceError) -> StepSpec {
        let path = "steps.\(name)"
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknown(["component", "inputs", "parameters", "after", "cache", "executor_labels"])
        var step = StepSpec(name: name, component: try component(reader))
        for member in try reader.members("inputs") ?? [] {
            step.inputs[member.key] = try input(member.value, path: "\(path).inputs.\(member.key)")
        }
        for member in try reader.members("parameters") ?? [] {
            let field = "\(path).parameters.\(member.key)"
            if case .string(let text) = member.value, text.contains("{{") {
                step.parameters[member.key] = .template(try ComponentSpec.template(text, path: field))
            } else {
                step.parameters[member.key] = .value(member.value)
            }
        }
        step.after = try (reader.array("after") ?? []).enumerated().map { offset, element throws(ProvenanceError) in
            guard case .string(let upstream) = element else {
                throw .invalid("\(path).after[\(offset)]", "expected a step name, got \(element.kindName)")
            }
            return upstream
        }
        step.cache = try reader.bool("cache")
        for member in try reader.members("executor_labels") ?? [] {
            guard case .string(let value) = member.value else {
                throw .invalid("\(path).executor_labels.\(member.key)", "expected a string, got \(member.value.kindName)")
            }
            step.executorLabels[member.key] = value
        }
        return step
    }

    /// `"name@version"` or `{"name", "version"}`.
    private static func component(_ reader: JSONObjectReader) throws(ProvenanceError) -> ComponentReference {
        let field = reader.field("component")
        switch reader.value("component") {
        case .string(let text)?:
            guard let reference = ComponentReference(parsing: text) else {
                throw .invalid(field, "expected name@version, got '\(text)'")
            }
            return reference
        case let value?:
            let component = try JSONObjectReader(value, path: field)
            try component.rejectUnknown(["name", "version"])
            return ComponentReference(name: try component.requiredString("name"), version: try component.requiredString("version"))
        case nil:
            throw .invalid(field, "is required: name@version of a registered component")
        }
    }

    private static func input(_ json: JSON, path: String) throws(ProvenanceError) -> InputBinding {
        if case .string(let text) = json {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw .invalid(path, "expected step.output, got '\(text)'")
            }
            return .output(step: String(parts[0]), output: String(parts[1]))
        }
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknown(["artifact_id", "uri", "parameter", "select", "optional"])
        let given = ["artifact_id", "uri", "parameter", "select"].filter(reader.contains)
        guard given.count == 1 else {
            throw .invalid(path, "give one of step.output, artifact_id, uri, parameter or select")
        }
        if reader.contains("optional"), given[0] != "select" {
            throw .invalid(reader.field("optional"), "only a selected input may be optional")
        }
        switch given[0] {
        case "artifact_id": return .artifact(ArtifactID(try reader.int("artifact_id")!))
        case "uri": return .uri(try reader.requiredString("uri"))
        case "parameter": return .parameter(try reader.requiredString("parameter"))
        default:
            let select = try reader.object("select")!
            try select.rejectUnknown(["type", "state", "scope", "filter"])
            var selector = ArtifactSelector(type: try select.requiredString("type"), filter: try select.string("filter"))
            if let state = try select.string("state") {
                guard let number = NodeKind.artifact.state(named: state) else {
                    throw .invalid(select.field("state"), "unknown artifact state '\(state)'; expected one of \(NodeKind.artifact.stateNames.joined(separator: ", "))")
                }
                selector.state = Int16(number)
            }
            if let scope = try select.string("scope") {
                guard let parsed = ArtifactSelector.Scope(rawValue: scope) else {
                    throw .invalid(select.field("scope"), "expected pipeline or namespace, got '\(scope)'")
                }
                selector.scope = parsed
            }
            return .selector(selector, optional: try reader.bool("optional") ?? false)
        }
    }

    /// The canonical JSON form: the shape `init(json:)` reads, in a stable order (the digest of a version is taken
    /// from it).
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "name", value: .string(name))]
        if let description { members.append((key: "description", value: .string(description))) }
        members.append((key: "parameters", value: ComponentSpec.json(parameters)))
        members.append((key: "steps", value: .object(steps.map { (key: $0.name, value: Self.json($0)) })))
        return .object(members)
    }

    private static func json(_ step: StepSpec) -> JSON {
        var members: [(key: String, value: JSON)] = [(key: "component", value: .string(step.component.description))]
        members.append((key: "inputs", value: .object(step.inputs.keys.sorted().map { name in
            (key: name, value: json(step.inputs[name]!))
        })))
        members.append((key: "parameters", value: .object(step.parameters.keys.sorted().map { name in
            switch step.parameters[name]! {
            case .value(let value): (key: name, value: value)
            case .template(let template): (key: name, value: .string(template.text))
            }
        })))
        members.append((key: "after", value: .array(step.after.map(JSON.string))))
        if let cache = step.cache { members.append((key: "cache", value: .bool(cache))) }
        members.append((key: "executor_labels", value: .object(step.executorLabels.keys.sorted().map { key in
            (key: key, value: .string(step.executorLabels[key]!))
        })))
        return .object(members)
    }

    private static func json(_ binding: InputBinding) -> JSON {
        switch binding {
        case .output(let step, let output): .string("\(step).\(output)")
        case .artifact(let id): ["artifact_id": .int(id.rawValue)]
        case .uri(let uri): ["uri": .string(uri)]
        case .parameter(let name): ["parameter": .string(name)]
        case .selector(let selector, let optional):
            [
                "select": .object(
                    [(key: "type", value: .string(selector.type))]
                        + (selector.state.map { [(key: "state", value: .string(NodeKind.artifact.stateName($0)))] } ?? [])
                        + [(key: "scope", value: .string(selector.scope.rawValue))]
                        + (selector.filter.map { [(key: "filter", value: .string($0))] } ?? [])),
                "optional": .bool(optional),
            ]
        }
    }
}
