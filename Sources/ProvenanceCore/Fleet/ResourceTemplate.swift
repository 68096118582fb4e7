/// A named resource profile (`spark-small`, `gpu-train`): what a task of a component that names it asks of an
/// executor, and the executor labels it needs. Configuration layers may swap one template for another per tier or
/// customer.
public struct ResourceTemplate: Sendable, Equatable {
    /// Unique in its namespace (a pipeline name's rules).
    public var name: String
    public var description: String?
    public var resources: ResourceRequest
    /// Labels the executor must have (a step's own executor labels win over these).
    public var executorLabels: [String: String]

    /// Creates a template.
    public init(name: String, resources: ResourceRequest, executorLabels: [String: String] = [:], description: String? = nil) {
        self.name = name
        self.resources = resources
        self.executorLabels = executorLabels
        self.description = description
    }

    /// Reads `{"name", "description", "cpu", "memory_mb", "gpu", "executor_labels"}`, naming the first bad field.
    public init(json: JSON) throws(ProvenanceError) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown(["name", "description", "cpu", "memory_mb", "gpu", "executor_labels"])
        let name = try reader.requiredString("name")
        try PipelineNames.checkName(name, field: "name")
        let cpu = try reader.double("cpu") ?? 0
        let memory = try reader.int("memory_mb") ?? 0
        let gpu = try reader.int("gpu") ?? 0
        guard cpu >= 0, cpu.isFinite else { throw .invalid("cpu", "must be a number of cores, 0 or more") }
        guard memory >= 0 else { throw .invalid("memory_mb", "must be 0 or more") }
        guard gpu >= 0 else { throw .invalid("gpu", "must be 0 or more") }
        var labels: [String: String] = [:]
        for member in try reader.members("executor_labels") ?? [] {
            guard case .string(let value) = member.value else {
                throw .invalid("executor_labels.\(member.key)", "expected a string, got \(member.value.kindName)")
            }
            try RunRequest.checkLabel(key: member.key, value: value)
            labels[member.key] = value
        }
        let description = try reader.string("description")
        if let description { try Validation.checkText(description, field: "description") }
        self.init(
            name: name, resources: ResourceRequest(cpu: cpu, memoryMB: Int(clamping: memory), gpu: Int(clamping: gpu)),
            executorLabels: labels, description: description)
    }

    /// The canonical JSON form `init(json:)` reads.
    public var json: JSON {
        var members: [(key: String, value: JSON)] = [(key: "name", value: .string(name))]
        if let description { members.append((key: "description", value: .string(description))) }
        members += [
            (key: "cpu", value: .double(resources.cpu)), (key: "memory_mb", value: .int(Int64(resources.memoryMB))),
            (key: "gpu", value: .int(Int64(resources.gpu))),
            (key: "executor_labels", value: .object(executorLabels.keys.sorted().map { (key: $0, value: .string(executorLabels[$0]!)) })),
        ]
        return .object(members)
    }
}

extension RunPlan {
    /// Gives the tasks of components that name a resource template the template's resources and executor labels
    /// (under the step's own labels), after the layers' swaps (`swaps`). A template that does not exist is an error
    /// at the step.
    public mutating func applyTemplates(
        components: [ComponentReference: ComponentSpec], swaps: [String: String], templates: [String: ResourceTemplate]
    ) throws(ProvenanceError) {
        for index in tasks.indices {
            guard let named = components[tasks[index].component]?.resourceTemplate else { continue }
            let name = swaps[named] ?? named
            guard let template = templates[name] else {
                let swapped = name == named ? "" : " (a layer swapped it for \(named))"
                throw .invalid(
                    "steps.\(tasks[index].step).resources.template",
                    "component \(tasks[index].component) uses resource template '\(name)'\(swapped), which does not exist")
            }
            tasks[index].resources = template.resources
            tasks[index].executorLabels = template.executorLabels.merging(tasks[index].executorLabels) { _, step in step }
        }
    }

    /// The resource templates the plan's components name (before any swap).
    public static func templateNames(_ components: [ComponentReference: ComponentSpec]) -> Set<String> {
        Set(components.values.compactMap(\.resourceTemplate))
    }
}
