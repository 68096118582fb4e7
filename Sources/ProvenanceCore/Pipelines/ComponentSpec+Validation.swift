extension ComponentSpec {
    /// The most attempts a retry policy may allow.
    public static let maximumAttempts = 100

    /// Checks the component's fields, naming the first bad one by its path in the spec.
    public func validate() throws(ProvenanceError) {
        try PipelineNames.checkName(name, field: "name")
        try PipelineNames.checkVersion(version, field: "version")
        try Validation.requireName(executionType, field: "execution_type")
        if let description { try Validation.checkText(description, field: "description") }
        try PipelineNames.checkPorts(inputs, field: "inputs")
        try PipelineNames.checkPorts(outputs, field: "outputs")
        for (offset, output) in outputs.enumerated() where output.optional {
            throw .invalid("outputs.\(output.name).optional", "an output cannot be optional (entry \(offset))")
        }
        try PipelineNames.checkParameters(parameters, field: "parameters")
        guard let program = run.command.first else { throw .invalid("run.command", "must name the program to run") }
        guard program.segments != [] else { throw .invalid("run.command[0]", "the program's name is empty") }
        for (path, template) in run.templates {
            try checkReferences(template, path: path)
        }
        for name in run.env.keys { try PipelineNames.checkEnvironmentName(name, field: "run.env") }
        if let image = run.image { try Validation.checkLength(image, field: "run.image") }
        let maximum = ExecutorCapacity.maximum
        try ExecutorCapacity.check(resources.cpu, maximum: maximum.cpu, field: "resources.cpu")
        try ExecutorCapacity.check(Double(resources.memoryMB), maximum: Double(maximum.memoryMB), field: "resources.memory_mb")
        try ExecutorCapacity.check(Double(resources.gpu), maximum: Double(maximum.gpu), field: "resources.gpu")
        guard (1...Self.maximumAttempts).contains(retries.maxAttempts) else {
            throw .invalid("retries.max_attempts", "must be between 1 and \(Self.maximumAttempts)")
        }
        guard retries.backoff >= .zero, retries.maxBackoff >= retries.backoff else {
            throw .invalid("retries.max_backoff", "must be at least retries.backoff")
        }
        if let timeout, timeout <= .zero { throw .invalid("timeout", "must be positive") }
    }

    /// Checks that every placeholder of `template` names a parameter, input or output of this component.
    private func checkReferences(_ template: CommandTemplate, path: String) throws(ProvenanceError) {
        for reference in template.references {
            switch reference {
            case .parameter(let name) where parameters.named(name) == nil:
                throw .invalid(path, "'{{parameters.\(name)}}' names no parameter of this component")
            case .inputURI(let name) where inputs.named(name) == nil, .inputID(let name) where inputs.named(name) == nil:
                throw .invalid(path, "'{{inputs.\(name)...}}' names no input of this component")
            case .outputURI(let name) where outputs.named(name) == nil:
                throw .invalid(path, "'{{outputs.\(name).uri}}' names no output of this component")
            default:
                continue
            }
        }
    }
}
