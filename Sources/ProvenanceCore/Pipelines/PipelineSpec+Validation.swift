extension PipelineSpec {
    /// The most steps one pipeline may have.
    public static let maximumSteps = 10_000

    /// Checks the spec against the components it names (`components`, by reference; a missing one is an error),
    /// naming the first problem by its path: unknown steps, outputs, inputs, parameters or components, an output
    /// feeding an input of another type, a required input or parameter left unbound, and cycles.
    public func validate(components: [ComponentReference: ComponentSpec]) throws(ProvenanceError) {
        try PipelineNames.checkName(name, field: "name")
        if let description { try Validation.checkText(description, field: "description") }
        try PipelineNames.checkParameters(parameters, field: "parameters")
        guard !steps.isEmpty else { throw .invalid("steps", "a pipeline needs at least one step") }
        guard steps.count <= Self.maximumSteps else {
            throw .invalid("steps", "a pipeline may have at most \(Self.maximumSteps) steps")
        }
        var names: Set<String> = []
        for step in steps {
            try PipelineNames.checkIdentifier(step.name, field: "steps.\(step.name)")
            guard names.insert(step.name).inserted else { throw .invalid("steps.\(step.name)", "is declared twice") }
        }
        let byName = stepsByName
        for step in steps {
            guard let component = components[step.component] else {
                throw .invalid("steps.\(step.name).component", "no component \(step.component) is registered")
            }
            try validate(step, component: component, components: components, byName: byName)
        }
        _ = try topologicalOrder()
    }

    private func validate(
        _ step: StepSpec, component: ComponentSpec, components: [ComponentReference: ComponentSpec],
        byName: [String: StepSpec]
    ) throws(ProvenanceError) {
        let path = "steps.\(step.name)"
        for name in step.inputs.keys.sorted() {
            let field = "\(path).inputs.\(name)"
            guard let input = component.inputs.named(name) else {
                throw .invalid(field, "component \(component.reference) has no input '\(name)'")
            }
            try validate(step.inputs[name]!, feeding: input, of: step, field: field, components: components, byName: byName)
        }
        for input in component.inputs where !input.optional && step.inputs[input.name] == nil {
            throw .invalid("\(path).inputs.\(input.name)", "is required by component \(component.reference) and not bound")
        }
        for name in step.parameters.keys.sorted() {
            let field = "\(path).parameters.\(name)"
            guard let parameter = component.parameters.named(name) else {
                throw .invalid(field, "component \(component.reference) has no parameter '\(name)'")
            }
            try validate(step.parameters[name]!, for: parameter, field: field)
        }
        for parameter in component.parameters where parameter.isRequired && step.parameters[parameter.name] == nil {
            throw .invalid("\(path).parameters.\(parameter.name)", "is required by component \(component.reference) and not given")
        }
        for (offset, upstream) in step.after.enumerated() {
            guard upstream != step.name, byName[upstream] != nil else {
                throw .invalid("\(path).after[\(offset)]", "'\(upstream)' is not another step of this pipeline")
            }
        }
        for (key, value) in step.executorLabels {
            try Validation.requireName(key, field: "\(path).executor_labels")
            try Validation.checkLength(value, field: "\(path).executor_labels.\(key)")
        }
    }

    private func validate(
        _ binding: InputBinding, feeding input: ArtifactPort, of step: StepSpec, field: String,
        components: [ComponentReference: ComponentSpec], byName: [String: StepSpec]
    ) throws(ProvenanceError) {
        switch binding {
        case .output(let upstreamName, let outputName):
            guard upstreamName != step.name, let upstream = byName[upstreamName] else {
                throw .invalid(field, "'\(upstreamName)' is not another step of this pipeline")
            }
            guard let producer = components[upstream.component] else {
                throw .invalid("steps.\(upstreamName).component", "no component \(upstream.component) is registered")
            }
            guard let output = producer.outputs.named(outputName) else {
                throw .invalid(field, "step '\(upstreamName)' (\(upstream.component)) has no output '\(outputName)'")
            }
            guard output.type == input.type else {
                throw .invalid(
                    field, "'\(upstreamName).\(outputName)' is a \(output.type), but input '\(input.name)' takes a \(input.type)")
            }
        case .artifact(let id):
            guard id.rawValue > 0 else { throw .invalid(field, "an artifact id is positive") }
        case .uri(let uri):
            try Validation.requireName(uri, field: Validation.join(field, "uri"))
        case .parameter(let name):
            guard let parameter = parameters.named(name) else {
                throw .invalid(field, "'\(name)' is not a parameter of this pipeline")
            }
            guard parameter.type == .int || parameter.type == .string else {
                throw .invalid(field, "pipeline parameter '\(name)' must be an INT (an artifact id) or a STRING (a URI)")
            }
        case .selector(let selector, _):
            guard selector.type == input.type else {
                throw .invalid(
                    Validation.join(field, "select.type"), "selects a \(selector.type), but input '\(input.name)' takes a \(input.type)")
            }
            let filterField = Validation.join(field, "select.filter")
            if let template = try selector.filterTemplate(field: filterField) {
                // Checked with a stand-in of its type for each parameter; the run checks it again with its values.
                var standIns: [String: JSON] = [:]
                for case .parameter(let name) in template.references {
                    guard let parameter = parameters.named(name) else {
                        throw .invalid(filterField, "'{{parameters.\(name)}}' names no parameter of this pipeline")
                    }
                    standIns[name] = parameter.type.standIn
                }
                _ = try selector.resolved(parameters: standIns, field: filterField)
            }
        }
    }

    private func validate(_ binding: ParameterBinding, for parameter: ParameterSpec, field: String) throws(ProvenanceError) {
        switch binding {
        case .value(let value):
            guard parameter.type.coerce(value) != nil else {
                throw .invalid(field, "expected a value of type \(parameter.type.rawValue), got \(value.kindName)")
            }
            try PipelineNames.checkJSONText(value, field: field)
        case .template(let template):
            for reference in template.references {
                guard case .parameter(let name) = reference, let source = parameters.named(name) else {
                    throw .invalid(field, "a step parameter may only use '{{parameters.NAME}}' of this pipeline's parameters")
                }
                if template.segments.count == 1, parameter.type != .string, parameter.type != .json,
                    source.type != parameter.type, !(source.type == .int && parameter.type == .double)
                {
                    throw .invalid(
                        field, "pipeline parameter '\(name)' is a \(source.type.rawValue); this parameter takes a \(parameter.type.rawValue)")
                }
            }
            if template.segments.count != 1, parameter.type != .string {
                throw .invalid(field, "text with placeholders makes a STRING; this parameter takes a \(parameter.type.rawValue)")
            }
        }
    }

    /// The steps by name (the first of a name declared twice), for lookups in loops over thousands of steps.
    var stepsByName: [String: StepSpec] {
        Dictionary(steps.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The steps in an order where each comes after every step it waits for; a cycle is an error naming it.
    /// (Kahn's algorithm, without recursion: a chain of thousands of steps must not exhaust a task's stack.)
    public func topologicalOrder() throws(ProvenanceError) -> [StepSpec] {
        let byName = stepsByName
        var waitingOn: [String: Int] = [:]
        var downstream: [String: [String]] = [:]
        for step in steps {
            let upstream = step.upstreamSteps.filter { byName[$0] != nil }
            waitingOn[step.name] = upstream.count
            for name in upstream { downstream[name, default: []].append(step.name) }
        }
        var ready = steps.filter { waitingOn[$0.name] == 0 }.map(\.name)
        var order: [StepSpec] = []
        var next = 0
        while next < ready.count {
            let name = ready[next]
            next += 1
            order.append(byName[name]!)
            for child in downstream[name] ?? [] {
                waitingOn[child]! -= 1
                if waitingOn[child] == 0 { ready.append(child) }
            }
        }
        guard order.count < steps.count else { return order }
        // Every step left waits for another step left: walking upstream from one must come back round.
        let left = Set(steps.map(\.name)).subtracting(order.map(\.name))
        var walk = [steps.first { left.contains($0.name) }!.name]
        while true {
            let current = byName[walk.last!]!
            let upstream = current.upstreamSteps.first { left.contains($0) }!
            if let start = walk.firstIndex(of: upstream) {
                let cycle = Array(walk[start...].reversed()) + [walk.last!]
                throw .invalid("steps.\(upstream)", "steps wait for each other in a cycle: \(cycle.joined(separator: " -> "))")
            }
            walk.append(upstream)
        }
    }
}
