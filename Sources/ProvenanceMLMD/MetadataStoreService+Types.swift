import GRPCCore
import ProvenanceCore
import ProvenanceStore

/// The sixteen type RPCs: put one or several, and read by name and version, by id, by external id, or all.
extension MetadataStoreService {
    func putArtifactType(
        request: ServerRequest<MlMetadata_PutArtifactTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutArtifactTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let options = try Self.evolution(message.canAddFields, message.canOmitFields, message.canDeleteFields)
            let id = try await putType(message.artifactType, field: "artifact_type", options: options, namespace: namespace)
            return .with { $0.typeID = id }
        }
    }

    func putExecutionType(
        request: ServerRequest<MlMetadata_PutExecutionTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutExecutionTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let options = try Self.evolution(message.canAddFields, message.canOmitFields, message.canDeleteFields)
            let id = try await putType(message.executionType, field: "execution_type", options: options, namespace: namespace)
            return .with { $0.typeID = id }
        }
    }

    func putContextType(
        request: ServerRequest<MlMetadata_PutContextTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutContextTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let options = try Self.evolution(message.canAddFields, message.canOmitFields, message.canDeleteFields)
            let id = try await putType(message.contextType, field: "context_type", options: options, namespace: namespace)
            return .with { $0.typeID = id }
        }
    }

    func putTypes(
        request: ServerRequest<MlMetadata_PutTypesRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutTypesResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let options = try Self.evolution(message.canAddFields, message.canOmitFields, message.canDeleteFields)
            var types: [NodeType] = []
            var fields: [String] = []
            func add<Message: MLMDTypeMessage>(_ messages: [Message], _ name: String) throws(ProvenanceError) {
                for (offset, type) in messages.enumerated() {
                    fields.append("\(name)[\(offset)]")
                    types.append(try type.nodeType(field: fields[fields.count - 1]))
                }
            }
            try add(message.artifactTypes, "artifact_types")
            try add(message.executionTypes, "execution_types")
            try add(message.contextTypes, "context_types")
            let ids = try await store.putTypes(types, namespace: namespace, options: options, fields: fields)
                .map(\.type.id.rawValue)
            let artifactCount = message.artifactTypes.count
            let executionCount = message.executionTypes.count
            return .with {
                $0.artifactTypeIds = Array(ids[0..<artifactCount])
                $0.executionTypeIds = Array(ids[artifactCount..<(artifactCount + executionCount)])
                $0.contextTypeIds = Array(ids[(artifactCount + executionCount)...])
            }
        }
    }

    func getArtifactType(
        request: ServerRequest<MlMetadata_GetArtifactTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let type = try await typeNamed(
                .artifact, message.typeName, version: message.requestedTypeVersion,
                namespace: namespace)
            return .with { $0.artifactType = MlMetadata_ArtifactType(type) }
        }
    }

    func getExecutionType(
        request: ServerRequest<MlMetadata_GetExecutionTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let type = try await typeNamed(
                .execution, message.typeName, version: message.requestedTypeVersion,
                namespace: namespace)
            return .with { $0.executionType = MlMetadata_ExecutionType(type) }
        }
    }

    func getContextType(
        request: ServerRequest<MlMetadata_GetContextTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let type = try await typeNamed(
                .context, message.typeName, version: message.requestedTypeVersion,
                namespace: namespace)
            return .with { $0.contextType = MlMetadata_ContextType(type) }
        }
    }

    func getArtifactTypesByID(
        request: ServerRequest<MlMetadata_GetArtifactTypesByIDRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactTypesByIDResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let types = try await types(.artifact, namespace: namespace, ids: message.typeIds)
            return .with { $0.artifactTypes = types.map(MlMetadata_ArtifactType.init) }
        }
    }

    func getExecutionTypesByID(
        request: ServerRequest<MlMetadata_GetExecutionTypesByIDRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionTypesByIDResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let types = try await types(.execution, namespace: namespace, ids: message.typeIds)
            return .with { $0.executionTypes = types.map(MlMetadata_ExecutionType.init) }
        }
    }

    func getContextTypesByID(
        request: ServerRequest<MlMetadata_GetContextTypesByIDRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextTypesByIDResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let types = try await types(.context, namespace: namespace, ids: message.typeIds)
            return .with { $0.contextTypes = types.map(MlMetadata_ContextType.init) }
        }
    }

    func getArtifactTypes(
        request: ServerRequest<MlMetadata_GetArtifactTypesRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactTypesResponse> {
        try await handle(request) { _, namespace throws(ProvenanceError) in
            let types = try await store.listTypes(namespace: namespace, kind: .artifact, name: nil, version: nil)
            return .with { $0.artifactTypes = types.map(MlMetadata_ArtifactType.init) }
        }
    }

    func getExecutionTypes(
        request: ServerRequest<MlMetadata_GetExecutionTypesRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionTypesResponse> {
        try await handle(request) { _, namespace throws(ProvenanceError) in
            let types = try await store.listTypes(namespace: namespace, kind: .execution, name: nil, version: nil)
            return .with { $0.executionTypes = types.map(MlMetadata_ExecutionType.init) }
        }
    }

    func getContextTypes(
        request: ServerRequest<MlMetadata_GetContextTypesRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextTypesResponse> {
        try await handle(request) { _, namespace throws(ProvenanceError) in
            let types = try await store.listTypes(namespace: namespace, kind: .context, name: nil, version: nil)
            return .with { $0.contextTypes = types.map(MlMetadata_ContextType.init) }
        }
    }

    func getArtifactTypesByExternalIds(
        request: ServerRequest<MlMetadata_GetArtifactTypesByExternalIdsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactTypesByExternalIdsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let types = try await types(.artifact, namespace: namespace, externalIDs: message.externalIds)
            return .with { $0.artifactTypes = types.map(MlMetadata_ArtifactType.init) }
        }
    }

    func getExecutionTypesByExternalIds(
        request: ServerRequest<MlMetadata_GetExecutionTypesByExternalIdsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionTypesByExternalIdsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let types = try await types(.execution, namespace: namespace, externalIDs: message.externalIds)
            return .with { $0.executionTypes = types.map(MlMetadata_ExecutionType.init) }
        }
    }

    func getContextTypesByExternalIds(
        request: ServerRequest<MlMetadata_GetContextTypesByExternalIdsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextTypesByExternalIdsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let types = try await types(.context, namespace: namespace, externalIDs: message.externalIds)
            return .with { $0.contextTypes = types.map(MlMetadata_ContextType.init) }
        }
    }
}

extension MetadataStoreService {
    /// MLMD's evolution flags; deleting stored properties is not supported, as in MLMD.
    static func evolution(_ canAdd: Bool, _ canOmit: Bool, _ canDelete: Bool) throws(ProvenanceError)
        -> TypeEvolutionOptions
    {
        guard !canDelete else { throw .invalid("can_delete_fields", "deleting properties of a type is not supported") }
        return TypeEvolutionOptions(canAddFields: canAdd, canOmitFields: canOmit)
    }

    func putType<Message: MLMDTypeMessage>(
        _ message: Message, field: String, options: TypeEvolutionOptions, namespace: String
    ) async throws(ProvenanceError) -> Int64 {
        let type = try message.nodeType(field: field)
        return try await store.putTypes([type], namespace: namespace, options: options, fields: [field])[0].type.id.rawValue
    }

    /// The type of `kind` with this name and version (no version: the unversioned type), or notFound.
    func typeNamed(_ kind: NodeKind, _ name: String, version: String?, namespace: String) async throws(ProvenanceError)
        -> NodeType
    {
        try Self.checkTypeLookup(name, version)
        guard let type = try await store.type(kind, named: name, version: version, namespace: namespace) else {
            let versionText = version.map { " (version \($0))" } ?? ""
            throw .notFound("no \(kind.rawValue) type named '\(name)'\(versionText)")
        }
        return type
    }

    /// The types of `kind` with the given ids, in request order, skipping unknown ids. Types come from the
    /// store's type cache, so this rarely reaches the database.
    func types(_ kind: NodeKind, namespace: String, ids: [Int64]) async throws(ProvenanceError) -> [NodeType] {
        try Validation.checkIDCount(ids.count, field: "type_ids")
        var types: [NodeType] = []
        for id in ids {
            do throws(ProvenanceError) {
                let type = try await store.type(TypeID(id), namespace: namespace)
                if type.kind == kind && !types.contains(where: { $0.id == type.id }) { types.append(type) }
            } catch where error.code == .notFound {
                continue
            }
        }
        return types
    }

    /// The types of `kind` with the given external ids, skipping unknown ones.
    func types(_ kind: NodeKind, namespace: String, externalIDs: [String]) async throws(ProvenanceError) -> [NodeType] {
        let wanted = Set(externalIDs)
        return try await store.listTypes(namespace: namespace, kind: kind, name: nil, version: nil)
            .filter { $0.externalID.map(wanted.contains) ?? false }
    }
}
