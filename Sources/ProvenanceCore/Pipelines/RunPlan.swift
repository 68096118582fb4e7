/// What a run of a pipeline version will do, worked out when it is submitted: the run's parameters (defaults
/// filled in) and, for each step, its task: the component parameters' values, where each input will come from,
/// the steps it waits for, and its resources and retry and cache rules.
public struct RunPlan: Sendable, Equatable {
    /// The run's parameters, checked and completed with defaults.
    public var parameters: [String: JSON]
    /// One task per step, in an order where each comes after those it waits for.
    public var tasks: [PlannedTask]

    /// Plans a run of `spec` with the given parameters (an unknown, mistyped or missing required one is an error at
    /// `parameters.NAME`); `cache` false switches caching off for every task.
    public init(
        _ spec: PipelineSpec, parameters given: [String: JSON], components: [ComponentReference: ComponentSpec], cache: Bool
    ) throws(ProvenanceError) {
        parameters = try spec.parameters.resolve(given, path: "parameters")
        tasks = []
        for step in try spec.topologicalOrder() {
            guard let component = components[step.component] else {
                throw .invalid("steps.\(step.name).component", "no component \(step.component) is registered")
            }
            var inputs: [String: InputSource] = [:]
            for (name, binding) in step.inputs {
                inputs[name] = try Self.source(binding, parameters: parameters, field: "steps.\(step.name).inputs.\(name)")
            }
            tasks.append(PlannedTask(
                step: step.name, component: step.component,
                parameters: try Self.values(step, component: component, pipeline: parameters), inputs: inputs,
                upstream: step.upstreamSteps, cache: cache && (step.cache ?? component.cache),
                resources: component.resources, executorLabels: step.executorLabels,
                maxAttempts: component.retries.maxAttempts))
        }
    }

    /// Where an input comes from, with pipeline parameters replaced by their values.
    private static func source(_ binding: InputBinding, parameters: [String: JSON], field: String) throws(ProvenanceError)
        -> InputSource
    {
        switch binding {
        case .output(let step, let output): return .output(step: step, output: output)
        case .artifact(let id): return .artifact(id)
        case .uri(let uri): return .uri(uri)
        case .selector(let selector, let optional):
            return .selector(try selector.resolved(parameters: parameters, field: field + ".select.filter"), optional: optional)
        case .parameter(let name):
            switch parameters[name] {
            case .int(let id)? where id > 0: return .artifact(ArtifactID(id))
            case .string(let uri)? where !uri.isEmpty:
                try Validation.checkLength(uri, field: "parameters.\(name)")
                return .uri(uri)
            default:
                throw .invalid("parameters.\(name)", "feeds \(field): give an artifact id or a URI")
            }
        }
    }

    /// The values of the component's parameters in `step`: bound ones (templates filled from the pipeline's
    /// parameters), then the component's defaults.
    private static func values(_ step: StepSpec, component: ComponentSpec, pipeline: [String: JSON]) throws(ProvenanceError)
        -> [String: JSON]
    {
        var values: [String: JSON] = [:]
        for parameter in component.parameters {
            let field = "steps.\(step.name).parameters.\(parameter.name)"
            let value: JSON
            switch step.parameters[parameter.name] {
            case .value(let constant)?:
                value = constant
            case .template(let template)?:
                if template.segments.count == 1, case .reference(.parameter(let name)) = template.segments[0] {
                    value = pipeline[name] ?? .null
                } else {
                    value = .string(template.render { reference in
                        if case .parameter(let name) = reference { return pipeline[name]?.commandLineText ?? "" }
                        return ""
                    })
                }
            case nil:
                guard let fallback = parameter.defaultValue else { throw .invalid(field, "is required and not given") }
                value = fallback
            }
            guard let typed = parameter.type.coerce(value) else {
                throw .invalid(field, "expected a value of type \(parameter.type.rawValue), got \(value.kindName)")
            }
            values[parameter.name] = typed
        }
        return values
    }
}

/// The task a run will have for one step.
public struct PlannedTask: Sendable, Equatable {
    public var step: String
    public var component: ComponentReference
    /// The component parameters' values.
    public var parameters: [String: JSON]
    /// Where each input will come from.
    public var inputs: [String: InputSource]
    /// The steps it waits for.
    public var upstream: [String]
    /// Whether it may reuse an identical earlier task's outputs.
    public var cache: Bool
    public var resources: ResourceRequest
    /// Labels the executor must have.
    public var executorLabels: [String: String]
    public var maxAttempts: Int
}

/// Where a task's input comes from, once the run's parameters are known.
public enum InputSource: Sendable, Equatable {
    /// An output of the task of another step of the same run.
    case output(step: String, output: String)
    /// A stored artifact.
    case artifact(ArtifactID)
    /// The artifact at a URI (recorded when the run starts if none has it).
    case uri(String)
    /// The newest artifact a selector finds when the task becomes ready.
    case selector(ArtifactSelector, optional: Bool)

    /// The stored form.
    public var json: JSON {
        switch self {
        case .output(let step, let output): ["step": .string(step), "output": .string(output)]
        case .artifact(let id): ["artifact_id": .int(id.rawValue)]
        case .uri(let uri): ["uri": .string(uri)]
        case .selector(let selector, let optional):
            [
                "type": .string(selector.type), "state": selector.state.map { .int(Int64($0)) } ?? .null,
                "scope": .string(selector.scope.rawValue), "filter": selector.filter.map(JSON.string) ?? .null,
                "parameters": .object(selector.boundParameters.keys.sorted().map { (key: $0, value: selector.boundParameters[$0]!) }),
                "optional": .bool(optional),
            ]
        }
    }

    /// Reads the stored form.
    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "input_source")
        if let step = try reader.string("step") {
            self = .output(step: step, output: try reader.requiredString("output"))
        } else if let id = try reader.int("artifact_id") {
            self = .artifact(ArtifactID(id))
        } else if let uri = try reader.string("uri") {
            self = .uri(uri)
        } else {
            var selector = ArtifactSelector(type: try reader.requiredString("type"), filter: try reader.string("filter"))
            selector.state = try reader.int("state").map { Int16(clamping: $0) }
            selector.scope = ArtifactSelector.Scope(rawValue: try reader.string("scope") ?? "") ?? .pipeline
            for (name, value) in try reader.members("parameters") ?? [] { selector.boundParameters[name] = value }
            self = .selector(selector, optional: try reader.bool("optional") ?? false)
        }
    }
}

/// The fingerprint of a task: what makes two tasks identical for caching (KFP's rule): the component and its
/// version, the parameters' values and the ids of the artifacts it reads.
public enum TaskFingerprint {
    /// The SHA-256 (see `Digest`) of the component's name and version, the parameters and the inputs' artifact
    /// ids by name. Fingerprints made before they were SHA-256 (16 hex digits) match no new task: those cache
    /// entries are simply not reused.
    public static func of(component: ComponentReference, parameters: [String: JSON], inputs: [String: ArtifactID]) -> String {
        Digest.sha256 { encoding in
            encoding.append("task-fingerprint/1")
            encoding.append(component.name)
            encoding.append(component.version)
            encoding.append(parameters)
            encoding.append(inputs.mapValues(\.rawValue))
        }
    }
}
