import GRPCCore
import ProvenanceCore
import ProvenanceStore

/// The node RPCs: put, list, and read by id, type, type and name, URI and external id.
extension MetadataStoreService {
    func putArtifacts(
        request: ServerRequest<MlMetadata_PutArtifactsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutArtifactsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let ids = try await putNodes(
                message.artifacts, mask: message.hasUpdateMask ? message.updateMask : nil,
                checkUpdateTime: message.options.abortIfLatestUpdatedTimeChanged, namespace: namespace)
            return .with { $0.artifactIds = ids }
        }
    }

    func putExecutions(
        request: ServerRequest<MlMetadata_PutExecutionsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutExecutionsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let ids = try await putNodes(
                message.executions, mask: message.hasUpdateMask ? message.updateMask : nil, namespace: namespace)
            return .with { $0.executionIds = ids }
        }
    }

    func putContexts(
        request: ServerRequest<MlMetadata_PutContextsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutContextsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let ids = try await putNodes(
                message.contexts, mask: message.hasUpdateMask ? message.updateMask : nil, namespace: namespace)
            return .with { $0.contextIds = ids }
        }
    }

    func getArtifacts(
        request: ServerRequest<MlMetadata_GetArtifactsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let result = try await listNodes(
                MlMetadata_Artifact.self, options: .given(message.options, isSet: message.hasOptions),
                filter: NodeListFilter(), namespace: namespace)
            return .with {
                $0.artifacts = result.nodes
                if let token = result.nextPageToken { $0.nextPageToken = token }
            }
        }
    }

    func getExecutions(
        request: ServerRequest<MlMetadata_GetExecutionsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let result = try await listNodes(
                MlMetadata_Execution.self, options: .given(message.options, isSet: message.hasOptions),
                filter: NodeListFilter(), namespace: namespace)
            return .with {
                $0.executions = result.nodes
                if let token = result.nextPageToken { $0.nextPageToken = token }
            }
        }
    }

    func getContexts(
        request: ServerRequest<MlMetadata_GetContextsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let result = try await listNodes(
                MlMetadata_Context.self, options: .given(message.options, isSet: message.hasOptions),
                filter: NodeListFilter(), namespace: namespace)
            return .with {
                $0.contexts = result.nodes
                if let token = result.nextPageToken { $0.nextPageToken = token }
            }
        }
    }

    func getArtifactsByID(
        request: ServerRequest<MlMetadata_GetArtifactsByIDRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactsByIDResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let artifacts = try await nodes(MlMetadata_Artifact.self, ids: message.artifactIds, namespace: namespace)
            // `types` keeps each type once.
            let types = try await types(.artifact, namespace: namespace, ids: message.populateArtifactTypes ? artifacts.map(\.typeID) : [])
            return .with {
                $0.artifacts = artifacts
                $0.artifactTypes = types.map(MlMetadata_ArtifactType.init)
            }
        }
    }

    func getExecutionsByID(
        request: ServerRequest<MlMetadata_GetExecutionsByIDRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionsByIDResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let executions = try await nodes(MlMetadata_Execution.self, ids: message.executionIds, namespace: namespace)
            return .with { $0.executions = executions }
        }
    }

    func getContextsByID(
        request: ServerRequest<MlMetadata_GetContextsByIDRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextsByIDResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let contexts = try await nodes(MlMetadata_Context.self, ids: message.contextIds, namespace: namespace)
            return .with { $0.contexts = contexts }
        }
    }

    func getArtifactsByType(
        request: ServerRequest<MlMetadata_GetArtifactsByTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactsByTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let result = try await nodesOfType(
                MlMetadata_Artifact.self, name: message.typeName, version: message.requestedTypeVersion,
                options: .given(message.options, isSet: message.hasOptions), namespace: namespace)
            return .with {
                $0.artifacts = result.nodes
                if let token = result.nextPageToken { $0.nextPageToken = token }
            }
        }
    }

    func getExecutionsByType(
        request: ServerRequest<MlMetadata_GetExecutionsByTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionsByTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let result = try await nodesOfType(
                MlMetadata_Execution.self, name: message.typeName, version: message.requestedTypeVersion,
                options: .given(message.options, isSet: message.hasOptions), namespace: namespace)
            return .with {
                $0.executions = result.nodes
                if let token = result.nextPageToken { $0.nextPageToken = token }
            }
        }
    }

    func getContextsByType(
        request: ServerRequest<MlMetadata_GetContextsByTypeRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextsByTypeResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let result = try await nodesOfType(
                MlMetadata_Context.self, name: message.typeName, version: message.requestedTypeVersion,
                options: .given(message.options, isSet: message.hasOptions), namespace: namespace)
            return .with {
                $0.contexts = result.nodes
                if let token = result.nextPageToken { $0.nextPageToken = token }
            }
        }
    }

    func getArtifactByTypeAndName(
        request: ServerRequest<MlMetadata_GetArtifactByTypeAndNameRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactByTypeAndNameResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let artifact = try await nodeOfType(
                MlMetadata_Artifact.self, typeName: message.typeName,
                version: message.requestedTypeVersion, nodeName: message.artifactName,
                namespace: namespace)
            return .with { if let artifact { $0.artifact = artifact } }
        }
    }

    func getExecutionByTypeAndName(
        request: ServerRequest<MlMetadata_GetExecutionByTypeAndNameRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionByTypeAndNameResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let execution = try await nodeOfType(
                MlMetadata_Execution.self, typeName: message.typeName,
                version: message.requestedTypeVersion, nodeName: message.executionName,
                namespace: namespace)
            return .with { if let execution { $0.execution = execution } }
        }
    }

    func getContextByTypeAndName(
        request: ServerRequest<MlMetadata_GetContextByTypeAndNameRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextByTypeAndNameResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let found = try await nodeOfType(
                MlMetadata_Context.self, typeName: message.typeName,
                version: message.requestedTypeVersion, nodeName: message.contextName,
                namespace: namespace)
            return .with { if let found { $0.context = found } }
        }
    }

    func getArtifactsByURI(
        request: ServerRequest<MlMetadata_GetArtifactsByURIRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactsByURIResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let artifacts = try await allNodes(
                MlMetadata_Artifact.self, filter: NodeListFilter(uris: message.uris), namespace: namespace)
            return .with { $0.artifacts = artifacts }
        }
    }

    func getArtifactsByExternalIds(
        request: ServerRequest<MlMetadata_GetArtifactsByExternalIdsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactsByExternalIdsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let artifacts = try await allNodes(
                MlMetadata_Artifact.self, filter: NodeListFilter(externalIDs: message.externalIds), namespace: namespace)
            return .with { $0.artifacts = artifacts }
        }
    }

    func getExecutionsByExternalIds(
        request: ServerRequest<MlMetadata_GetExecutionsByExternalIdsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionsByExternalIdsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let executions = try await allNodes(
                MlMetadata_Execution.self, filter: NodeListFilter(externalIDs: message.externalIds), namespace: namespace)
            return .with { $0.executions = executions }
        }
    }

    func getContextsByExternalIds(
        request: ServerRequest<MlMetadata_GetContextsByExternalIdsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextsByExternalIdsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let contexts = try await allNodes(
                MlMetadata_Context.self, filter: NodeListFilter(externalIDs: message.externalIds), namespace: namespace)
            return .with { $0.contexts = contexts }
        }
    }
}
