extension ComponentSpec {
    /// The members of a component's JSON form.
    static let fields = [
        "name", "version", "description", "execution_type", "inputs", "outputs", "parameters", "run", "resources",
        "retries", "timeout", "cache",
    ]

    /// Reads a component from its JSON form, naming the first bad field; then checks it (`validate`).
    ///
    /// `{"name", "version", "description", "execution_type", "inputs": {"NAME": {"type", "optional"}} (or
    /// {"NAME": "Type"}), "outputs": {...}, "parameters": {"NAME": {"type", "default"}} (or {"NAME": "TYPE"}),
    /// "run": {"command": [...], "args": [...], "env": {...}, "working_dir", "image"}, "resources": {"cpu",
    /// "memory_mb", "gpu"} or {"template": "gpu-train"}, "retries": {"max_attempts", "backoff", "max_backoff"},
    /// "timeout", "cache"}`.
    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(Self.fields)
        guard let run = try reader.object("run") else { throw .invalid("run", "is required: the command to run") }
        let resources = try reader.object("resources")
        try resources?.rejectUnknown(["cpu", "memory_mb", "gpu", "template"])
        let template = try resources?.string("template")
        if let template {
            try PipelineNames.checkName(template, field: "resources.template")
            for field in ["cpu", "memory_mb", "gpu"] where resources?.contains(field) == true {
                throw .invalid("resources.\(field)", "give a resource template or numbers, not both (the template says how much)")
            }
        }
        let retries = try reader.object("retries")
        try retries?.rejectUnknown(["max_attempts", "backoff", "max_backoff"])
        var policy = RetryPolicy()
        if let attempts = try retries?.int("max_attempts") { policy.maxAttempts = Int(clamping: attempts) }
        if let backoff = try retries?.duration("backoff") {
            policy.backoff = backoff
            policy.maxBackoff = max(policy.maxBackoff, backoff)
        }
        if let maxBackoff = try retries?.duration("max_backoff") { policy.maxBackoff = maxBackoff }
        let name = try reader.requiredString("name")
        self.init(
            name: name, version: try reader.requiredString("version"), description: try reader.string("description"),
            executionType: try reader.string("execution_type"),
            inputs: try Self.ports(reader, "inputs"), outputs: try Self.ports(reader, "outputs"),
            parameters: try Self.parameters(reader, "parameters"),
            run: try ProcessSpec(run),
            resources: ResourceRequest(
                cpu: try resources?.double("cpu") ?? 0, memoryMB: Int(clamping: try resources?.int("memory_mb") ?? 0),
                gpu: Int(clamping: try resources?.int("gpu") ?? 0)),
            retries: policy, timeout: try reader.duration("timeout"), cache: try reader.bool("cache") ?? true)
        resourceTemplate = template
        try validate()
    }

    /// The canonical JSON form: the shape `init(json:)` reads, every default written out.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "name", value: .string(name)), (key: "version", value: .string(version))]
        if let description { members.append((key: "description", value: .string(description))) }
        members.append((key: "execution_type", value: .string(executionType)))
        members.append((key: "inputs", value: Self.json(inputs)))
        members.append((key: "outputs", value: Self.json(outputs)))
        members.append((key: "parameters", value: Self.json(parameters)))
        members.append((key: "run", value: run.json))
        if let resourceTemplate {
            members.append((key: "resources", value: ["template": .string(resourceTemplate)]))
        } else {
            members.append((key: "resources", value: [
                "cpu": .double(resources.cpu), "memory_mb": .int(Int64(resources.memoryMB)), "gpu": .int(Int64(resources.gpu)),
            ]))
        }
        members.append((key: "retries", value: [
            "max_attempts": .int(Int64(retries.maxAttempts)), "backoff": .string(SettingDuration.describe(retries.backoff)),
            "max_backoff": .string(SettingDuration.describe(retries.maxBackoff)),
        ]))
        if let timeout { members.append((key: "timeout", value: .string(SettingDuration.describe(timeout)))) }
        members.append((key: "cache", value: .bool(cache)))
        return .object(members)
    }

    private static func ports(_ reader: JSONObjectReader, _ key: String) throws(ProvenanceError) -> [ArtifactPort] {
        var ports: [ArtifactPort] = []
        for member in try reader.members(key) ?? [] {
            let path = reader.field(key) + "." + member.key
            if case .string(let type) = member.value {
                ports.append(ArtifactPort(name: member.key, type: type))
                continue
            }
            let port = try JSONObjectReader(member.value, path: path)
            try port.rejectUnknown(["type", "optional", "description"])
            ports.append(ArtifactPort(
                name: member.key, type: try port.requiredString("type"), optional: try port.bool("optional") ?? false,
                description: try port.string("description")))
        }
        return ports
    }

    static func json(_ ports: [ArtifactPort]) -> JSON {
        .object(ports.map { port in
            var members: [(key: String, value: JSON)] = [(key: "type", value: .string(port.type))]
            if port.optional { members.append((key: "optional", value: true)) }
            if let description = port.description { members.append((key: "description", value: .string(description))) }
            return (key: port.name, value: .object(members))
        })
    }

    /// `{"NAME": {"type", "default", "description"}}` or `{"NAME": "TYPE"}`.
    static func parameters(_ reader: JSONObjectReader, _ key: String) throws(ProvenanceError) -> [ParameterSpec] {
        var parameters: [ParameterSpec] = []
        for member in try reader.members(key) ?? [] {
            let path = reader.field(key) + "." + member.key
            let typeName: String
            var defaultValue: JSON?
            var description: String?
            if case .string(let name) = member.value {
                typeName = name
            } else {
                let parameter = try JSONObjectReader(member.value, path: path)
                try parameter.rejectUnknown(["type", "default", "description"])
                typeName = try parameter.requiredString("type")
                defaultValue = parameter.value("default")
                description = try parameter.string("description")
            }
            guard let type = ParameterType(name: typeName) else {
                throw .invalid(path + ".type", "unknown type '\(typeName)'; expected STRING, INT, DOUBLE, BOOL or JSON")
            }
            parameters.append(ParameterSpec(name: member.key, type: type, defaultValue: defaultValue, description: description))
        }
        return parameters
    }

    static func json(_ parameters: [ParameterSpec]) -> JSON {
        .object(parameters.map { parameter in
            var members: [(key: String, value: JSON)] = [(key: "type", value: .string(parameter.type.rawValue))]
            if let value = parameter.defaultValue { members.append((key: "default", value: value)) }
            if let description = parameter.description { members.append((key: "description", value: .string(description))) }
            return (key: parameter.name, value: .object(members))
        })
    }
}

extension ComponentSpec {
    /// A template of the spec's text at `path`, checked for text PostgreSQL cannot store.
    static func template(_ text: String, path: String) throws(ProvenanceError) -> CommandTemplate {
        try Validation.checkLength(text, field: path)
        return try CommandTemplate(parsing: text, path: path)
    }
}

extension CommandTemplate {
    /// The template as written (`{{` in text doubled again).
    public var text: String {
        segments.map { segment in
            switch segment {
            case .text(let text): text.replacing("{{", with: "{{{{")
            case .reference(let reference): "{{\(reference.placeholder)}}"
            }
        }.joined()
    }
}

extension CommandTemplate.Reference {
    /// The placeholder's name between the braces.
    public var placeholder: String {
        switch self {
        case .parameter(let name): "parameters.\(name)"
        case .inputURI(let name): "inputs.\(name).uri"
        case .inputID(let name): "inputs.\(name).id"
        case .outputURI(let name): "outputs.\(name).uri"
        case .outputsFile: "outputs_file"
        case .runID: "run.id"
        case .taskID: "task.id"
        case .attempt: "attempt"
        case .step: "step"
        }
    }
}

extension ProcessSpec {
    /// Reads the `run` member of a component: `{"command": [...], "args": [...], "env": {...}, "working_dir",
    /// "image"}`, each text a template (checked here for its placeholders' syntax; whether they name the
    /// component's ports and parameters is the component's check).
    public init(_ reader: JSONObjectReader) throws(ProvenanceError) {
        try reader.rejectUnknown(["command", "args", "env", "working_dir", "image"])
        var environment: [String: CommandTemplate] = [:]
        for member in try reader.members("env") ?? [] {
            let path = reader.field("env") + "." + member.key
            guard case .string(let text) = member.value else { throw .invalid(path, "expected a string, got \(member.value.kindName)") }
            environment[member.key] = try ComponentSpec.template(text, path: path)
        }
        self.init(
            command: try Self.templates(reader, "command"), args: try Self.templates(reader, "args"), env: environment,
            workingDirectory: try reader.string("working_dir").map { text throws(ProvenanceError) in
                try ComponentSpec.template(text, path: reader.field("working_dir"))
            },
            image: try reader.string("image"))
    }

    /// The JSON form `init(_:)` reads.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "command", value: .array(command.map { .string($0.text) })),
            (key: "args", value: .array(args.map { .string($0.text) })),
            (key: "env", value: .object(env.keys.sorted().map { (key: $0, value: .string(env[$0]!.text)) })),
        ]
        if let workingDirectory { members.append((key: "working_dir", value: .string(workingDirectory.text))) }
        if let image { members.append((key: "image", value: .string(image))) }
        return .object(members)
    }

    private static func templates(_ reader: JSONObjectReader, _ key: String) throws(ProvenanceError) -> [CommandTemplate] {
        try (reader.array(key) ?? []).enumerated().map { offset, element throws(ProvenanceError) in
            let path = "\(reader.field(key))[\(offset)]"
            guard case .string(let text) = element else { throw .invalid(path, "expected a string, got \(element.kindName)") }
            return try ComponentSpec.template(text, path: path)
        }
    }
}
