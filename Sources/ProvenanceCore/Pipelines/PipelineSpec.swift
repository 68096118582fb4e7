/// A named DAG of steps. Each step runs a component, its inputs bound to upstream outputs, artifacts, pipeline
/// parameters or selectors, its parameters to constants or pipeline parameters. A step runs once its inputs exist
/// (and the steps it names in `after` have finished). Versions are immutable: a pipeline's spec is stored under its
/// digest, and a changed spec is a new version.
public struct PipelineSpec: Sendable, Equatable {
    /// The pipeline's name.
    public var name: String
    /// Free text for people.
    public var description: String?
    /// Parameters a run gives (or takes the defaults of).
    public var parameters: [ParameterSpec]
    /// The steps, in the order written.
    public var steps: [StepSpec]

    /// Creates a spec.
    public init(name: String, description: String? = nil, parameters: [ParameterSpec] = [], steps: [StepSpec]) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.steps = steps
    }

    /// The step named `name`.
    public func step(_ name: String) -> StepSpec? { steps.first { $0.name == name } }
}

/// One step of a pipeline.
public struct StepSpec: Sendable, Equatable {
    /// The step's name (an identifier), unique in its pipeline.
    public var name: String
    /// The component it runs.
    public var component: ComponentReference
    /// Where each input of the component comes from, by input name.
    public var inputs: [String: InputBinding]
    /// The value of each parameter of the component that is given, by name (the rest take their defaults).
    public var parameters: [String: ParameterBinding]
    /// Steps that must finish first, though the step reads nothing of theirs.
    public var after: [String]
    /// Caching for this step; nil follows the component.
    public var cache: Bool?
    /// Labels an executor must have to take this step (`gpu: a100`, `zone: eu`).
    public var executorLabels: [String: String]

    /// Creates a step.
    public init(
        name: String, component: ComponentReference, inputs: [String: InputBinding] = [:],
        parameters: [String: ParameterBinding] = [:], after: [String] = [], cache: Bool? = nil,
        executorLabels: [String: String] = [:]
    ) {
        self.name = name
        self.component = component
        self.inputs = inputs
        self.parameters = parameters
        self.after = after
        self.cache = cache
        self.executorLabels = executorLabels
    }

    /// The steps this one waits for: those whose outputs it reads, then those in `after`, each once.
    public var upstreamSteps: [String] {
        var names: [String] = []
        var seen: Set<String> = []
        for name in inputs.keys.sorted() {
            if case .output(let step, _) = inputs[name]!, seen.insert(step).inserted { names.append(step) }
        }
        for step in after where seen.insert(step).inserted { names.append(step) }
        return names
    }
}

/// Where an input artifact comes from.
public enum InputBinding: Sendable, Equatable {
    /// An output of an upstream step (`train.model`): the data dependency.
    case output(step: String, output: String)
    /// A stored artifact, by id.
    case artifact(ArtifactID)
    /// An artifact at this URI, recorded (of the input's type) when the run starts if none has it.
    case uri(String)
    /// The artifact a pipeline parameter names: an id (INT) or a URI (STRING).
    case parameter(String)
    /// The newest artifact a selector finds when the step becomes ready; `optional` lets it find none.
    case selector(ArtifactSelector, optional: Bool)
}

/// Finds an artifact when a step becomes ready: the newest of a type, in a state, of this pipeline or of the
/// whole namespace, that a filter accepts (the latest LIVE model of this pipeline, for a warm start).
public struct ArtifactSelector: Sendable, Equatable, Hashable {
    /// How far the search reaches.
    public enum Scope: String, Sendable, Hashable {
        /// Artifacts recorded by runs of this pipeline.
        case pipeline
        /// Every artifact of the namespace.
        case namespace
    }

    /// The artifact type's name.
    public var type: String
    /// The artifact state it must be in (`LIVE`), if any, as its stored number.
    public var state: Int16?
    /// How far the search reaches.
    public var scope: Scope
    /// An MLMD filter the artifact must also pass. `{{parameters.NAME}}` in it stands for the run's value of the
    /// pipeline parameter, bound as a value, never spliced in as text: inside quotes for text
    /// (`custom_properties.customer.string_value = '{{parameters.customer}}'`, or within a LIKE pattern, where the
    /// value matches literally), and anywhere for numbers and booleans.
    public var filter: String?
    /// The run's values of the parameters the filter names, once the run is known (see `resolved`).
    public var boundParameters: [String: JSON] = [:]

    /// Creates a selector.
    public init(type: String, state: Int16? = nil, scope: Scope = .pipeline, filter: String? = nil) {
        self.type = type
        self.state = state
        self.scope = scope
        self.filter = filter
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(state)
        hasher.combine(scope)
        hasher.combine(filter)
        hasher.combine(JSONWriter.string(.object(boundParameters.keys.sorted().map { (key: $0, value: boundParameters[$0]!) })))
    }
}

/// The value of a component parameter in a step.
public enum ParameterBinding: Sendable, Equatable {
    /// A constant.
    case value(JSON)
    /// Text with `{{parameters.NAME}}` placeholders of the pipeline's parameters; a template that is one
    /// placeholder alone takes the parameter's value with its type.
    case template(CommandTemplate)
}
