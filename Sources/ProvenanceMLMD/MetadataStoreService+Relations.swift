import GRPCCore
import ProvenanceCore
import ProvenanceStore

/// The reads of attributions, associations and parent contexts, from both sides.
extension MetadataStoreService {
    func getContextsByArtifact(
        request: ServerRequest<MlMetadata_GetContextsByArtifactRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextsByArtifactResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let contexts = try await related(.contextsOfArtifact(ArtifactID(message.artifactID)), namespace: namespace)
            return .with { $0.contexts = contexts }
        }
    }

    func getContextsByExecution(
        request: ServerRequest<MlMetadata_GetContextsByExecutionRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetContextsByExecutionResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let contexts = try await related(.contextsOfExecution(ExecutionID(message.executionID)), namespace: namespace)
            return .with { $0.contexts = contexts }
        }
    }

    func getParentContextsByContext(
        request: ServerRequest<MlMetadata_GetParentContextsByContextRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetParentContextsByContextResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let contexts = try await related(.parentsOfContext(ContextID(message.contextID)), namespace: namespace)
            return .with { $0.contexts = contexts }
        }
    }

    func getChildrenContextsByContext(
        request: ServerRequest<MlMetadata_GetChildrenContextsByContextRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetChildrenContextsByContextResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let contexts = try await related(.childrenOfContext(ContextID(message.contextID)), namespace: namespace)
            return .with { $0.contexts = contexts }
        }
    }

    func getParentContextsByContexts(
        request: ServerRequest<MlMetadata_GetParentContextsByContextsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetParentContextsByContextsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            var response = MlMetadata_GetParentContextsByContextsResponse()
            for id in Set(message.contextIds) {
                let parents = try await related(.parentsOfContext(ContextID(id)), namespace: namespace)
                if !parents.isEmpty { response.contexts[id] = .with { $0.parentContexts = parents } }
            }
            return response
        }
    }

    func getChildrenContextsByContexts(
        request: ServerRequest<MlMetadata_GetChildrenContextsByContextsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetChildrenContextsByContextsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            var response = MlMetadata_GetChildrenContextsByContextsResponse()
            for id in Set(message.contextIds) {
                let children = try await related(.childrenOfContext(ContextID(id)), namespace: namespace)
                if !children.isEmpty { response.contexts[id] = .with { $0.childrenContexts = children } }
            }
            return response
        }
    }

    func getArtifactsByContext(
        request: ServerRequest<MlMetadata_GetArtifactsByContextRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetArtifactsByContextResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let result = try await relatedPage(
                MlMetadata_Artifact.self, .artifactsOfContext(ContextID(message.contextID)),
                options: .given(message.options, isSet: message.hasOptions), namespace: namespace)
            return .with {
                $0.artifacts = result.nodes
                if let token = result.nextPageToken { $0.nextPageToken = token }
            }
        }
    }

    func getExecutionsByContext(
        request: ServerRequest<MlMetadata_GetExecutionsByContextRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetExecutionsByContextResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let result = try await relatedPage(
                MlMetadata_Execution.self, .executionsOfContext(ContextID(message.contextID)),
                options: .given(message.options, isSet: message.hasOptions), namespace: namespace)
            return .with {
                $0.executions = result.nodes
                if let token = result.nextPageToken { $0.nextPageToken = token }
            }
        }
    }
}

extension MetadataStoreService {
    /// Every context linked this way; none when the node at the other end does not exist (as in MLMD).
    private func related(_ relation: NodeRelation, namespace: String) async throws(ProvenanceError) -> [MlMetadata_Context] {
        try await relatedPage(MlMetadata_Context.self, relation, options: nil, namespace: namespace).nodes
    }

    /// A page of nodes linked this way; empty when the node at the other end does not exist (as in MLMD).
    private func relatedPage<Message: MLMDNodeMessage>(
        _ message: Message.Type, _ relation: NodeRelation, options: MlMetadata_ListOperationOptions?, namespace: String
    ) async throws(ProvenanceError) -> (nodes: [Message], nextPageToken: String?) {
        do {
            return try await listNodes(
                Message.self, options: options, filter: NodeListFilter(relation: relation), namespace: namespace)
        } catch where error.code == .notFound {
            return ([], nil)
        }
    }
}
