extension LineageWrite {
    /// Checks what can be checked without the database: indexes in range, no node updated twice, no new context
    /// named twice, and the fields each kind may carry. `names` says how the adapter calls each part, so the
    /// messages name the client's own fields.
    public func validate(names: LineageWriteFieldNames = .init()) throws(ProvenanceError) {
        let total = artifacts.count + executions.count + contexts.count + events.count
            + (attributions?.count ?? 0) + (associations?.count ?? 0)
        guard total <= Self.maximumItems else {
            throw .invalid("", "a single write may carry at most \(Self.maximumItems) nodes, events and links")
        }
        for kind in NodeKind.allCases {
            try validateNodes(nodes(kind), kind: kind, names: names)
        }
        for (offset, event) in events.enumerated() {
            guard artifacts.indices.contains(event.artifactIndex) else {
                throw .invalid("\(names.events)[\(offset)].artifact_index", "\(event.artifactIndex) is not an index into \(names.artifacts)")
            }
            guard executions.indices.contains(event.executionIndex) else {
                throw .invalid("\(names.events)[\(offset)].execution_index", "\(event.executionIndex) is not an index into \(names.executions)")
            }
            for (step, part) in event.path.enumerated() {
                if case .key(let key) = part { try Validation.checkText(key, field: "\(names.events)[\(offset)].path[\(step)].key") }
            }
        }
        try validateLinks(attributions, nodeCount: artifacts.count, field: names.attributions, nodeField: "artifact_index")
        try validateLinks(associations, nodeCount: executions.count, field: names.associations, nodeField: "execution_index")
    }

    private func validateNodes(_ writes: [NodeWrite], kind: NodeKind, names: LineageWriteFieldNames) throws(ProvenanceError) {
        var updatedIDs = Set<Int64>()
        var newContextKeys = Set<ContextKey>()
        for (offset, write) in writes.enumerated() {
            func path() -> String { names.path(kind, offset) }
            switch write {
            case .create(let draft):
                try draft.validate(path: path())
                if kind == .context, let name = draft.name {
                    // A name conflict, as with a stored context of the same type and name (MLMD: ALREADY_EXISTS).
                    guard newContextKeys.insert(ContextKey(type: draft.type, name: name)).inserted else {
                        throw ProvenanceError(
                            .alreadyExists, "\(path()).name: context '\(name)' appears twice in this request")
                    }
                }
            case .update(let id, let patch):
                guard updatedIDs.insert(id).inserted else {
                    throw .invalid(Validation.join(path(), "id"), "\(kind.rawValue) \(id) appears twice in this request")
                }
                try patch.validate(kind: kind, path: path())
            }
        }
    }

    /// A context is identified by its type and name.
    private struct ContextKey: Hashable {
        let type: TypeReference
        let name: String
    }

    private func validateLinks(_ links: [IndexLink]?, nodeCount: Int, field: String, nodeField: String)
        throws(ProvenanceError)
    {
        for (offset, link) in (links ?? []).enumerated() {
            guard contexts.indices.contains(link.contextIndex) else {
                throw .invalid("\(field)[\(offset)].context_index", "\(link.contextIndex) is not an index into contexts")
            }
            guard (0..<nodeCount).contains(link.nodeIndex) else {
                throw .invalid("\(field)[\(offset)].\(nodeField)", "\(link.nodeIndex) is out of range")
            }
        }
    }
}

/// The client-facing names of a composite write's parts, for error messages.
public struct LineageWriteFieldNames: Sendable {
    /// Field holding the artifacts.
    public var artifacts = "artifacts"
    /// Field holding the executions.
    public var executions = "executions"
    /// Field holding the contexts.
    public var contexts = "contexts"
    /// Field holding the events.
    public var events = "events"
    /// Field holding the attributions.
    public var attributions = "attributions"
    /// Field holding the associations.
    public var associations = "associations"

    /// Where the `offset`th node of a kind came from in the request, when that is not `<field>[offset]` (the
    /// single `execution` of executions:record, its `inputs[i]` and `outputs[j]`).
    public var nodePath: (@Sendable (NodeKind, Int) -> String)?

    /// The defaults, matching lineage:record.
    public init() {}

    /// The request path of the `offset`th node of `kind`, for error messages.
    public func path(_ kind: NodeKind, _ offset: Int) -> String {
        nodePath?(kind, offset) ?? "\(field(for: kind))[\(offset)]"
    }

    /// The field holding nodes of `kind`.
    public func field(for kind: NodeKind) -> String {
        switch kind {
        case .artifact: artifacts
        case .execution: executions
        case .context: contexts
        }
    }
}

extension NodeDraft {
    /// Checks the fields of a new node that do not need its type.
    public func validate(path: @autoclosure () -> String) throws(ProvenanceError) {
        if kind.requiresName {
            guard let name else { throw .invalid(Validation.join(path(), "name"), "is required for a context") }
            try Validation.requireName(name, field: Validation.join(path(), "name"))
        } else if let name {
            try Validation.requireName(name, field: Validation.join(path(), "name"))
        }
        if let externalID { try Validation.requireName(externalID, field: Validation.join(path(), "external_id")) }
        if let uri {
            guard kind.hasURI else { throw .invalid(Validation.join(path(), "uri"), "only artifacts have a uri") }
            try Validation.checkLength(uri, field: Validation.join(path(), "uri"))
        }
        if state != nil, kind.stateField == nil {
            throw .invalid(Validation.join(path(), "state"), "contexts have no state")
        }
        try type.validate(path: path())
    }
}

extension TypeReference {
    /// Checks a type named in a write: a name no stored type can have is an error naming the field.
    func validate(path: @autoclosure () -> String) throws(ProvenanceError) {
        guard case .name(let name, let version) = self else { return }
        try Validation.checkText(name, field: Validation.join(path(), "type"))
        if let version { try Validation.checkText(version, field: Validation.join(path(), "type_version")) }
    }
}

extension NodePatch {
    /// Checks an update's fields that do not need the node's type.
    public func validate(kind: NodeKind, path: @autoclosure () -> String) throws(ProvenanceError) {
        if case .set(let name) = name {
            if let name {
                try Validation.requireName(name, field: Validation.join(path(), "name"))
            } else if kind.requiresName {
                throw .invalid(Validation.join(path(), "name"), "a context's name cannot be removed")
            }
        }
        if case .set(let externalID?) = externalID {
            try Validation.requireName(externalID, field: Validation.join(path(), "external_id"))
        }
        if case .set(let uri) = uri {
            guard kind.hasURI else { throw .invalid(Validation.join(path(), "uri"), "only artifacts have a uri") }
            if let uri { try Validation.checkLength(uri, field: Validation.join(path(), "uri")) }
        }
        if case .set = state, kind.stateField == nil {
            throw .invalid(Validation.join(path(), "state"), "contexts have no state")
        }
        try expectedType?.validate(path: path())
        for key in properties.remove { try Validation.checkText(key, field: Validation.join(path(), "properties")) }
        for key in customProperties.remove {
            try Validation.checkText(key, field: Validation.join(path(), "custom_properties"))
        }
    }
}
