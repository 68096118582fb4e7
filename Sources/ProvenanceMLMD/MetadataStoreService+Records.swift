import GRPCCore
import ProvenanceCore
import ProvenanceStore

/// The RPCs that write edges and composite records: events, PutExecution, PutLineageSubgraph, attributions and
/// associations, parent contexts; and the event reads.
extension MetadataStoreService {
    func putEvents(
        request: ServerRequest<MlMetadata_PutEventsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutEventsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            var events: [Event] = []
            for (offset, event) in message.events.enumerated() { events.append(try event.event(field: "events[\(offset)]")) }
            try await Self.referencesMustExist { () async throws(ProvenanceError) in
                try await store.createEvents(events, namespace: namespace)
            }
            return MlMetadata_PutEventsResponse()
        }
    }

    func putExecution(
        request: ServerRequest<MlMetadata_PutExecutionRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutExecutionResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            guard message.hasExecution else { throw .invalid("execution", "is required") }
            let options = message.options
            var write = LineageWrite(
                options: LineageWriteOptions(
                    reuseContextIfAlreadyExists: options.reuseContextIfAlreadyExist,
                    reuseArtifactIfAlreadyExistsByExternalID: options.reuseArtifactIfAlreadyExistByExternalID))
            write.executions = [try message.execution.nodeWrite(field: "execution", mask: nil, checkUpdateTime: false)]
            var endpoints = EdgeEndpoints(
                artifacts: message.artifactEventPairs.map(\.artifact), executions: [message.execution])
            for (offset, pair) in message.artifactEventPairs.enumerated() {
                let field = "artifact_event_pairs[\(offset)]"
                write.artifacts.append(try pair.artifact.nodeWrite(field: field + ".artifact", mask: nil, checkUpdateTime: false))
                guard pair.hasEvent else { continue }
                // The pair's event joins its artifact and the request's execution, as an edge by index would.
                let edge = MlMetadata_PutLineageSubgraphRequest.EventEdge.with {
                    $0.artifactIndex = Int32(offset)
                    $0.executionIndex = 0
                    $0.event = pair.event
                }
                write.events.append(try endpoints.edge(edge, field: field, write: &write))
            }
            write.contexts = try contextWrites(message.contexts, forceReuse: options.forceReuseContext)
            let result = try await Self.referencesMustExist { () async throws(ProvenanceError) in
                try await store.write(write, namespace: namespace)
            }
            return .with {
                $0.executionID = result.executionIDs[0].rawValue
                $0.artifactIds = result.ids(.artifact)
                $0.contextIds = result.ids(.context)
            }
        }
    }

    func putLineageSubgraph(
        request: ServerRequest<MlMetadata_PutLineageSubgraphRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutLineageSubgraphResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            var write = LineageWrite(
                options: LineageWriteOptions(
                    reuseContextIfAlreadyExists: message.options.reuseContextIfAlreadyExist,
                    reuseArtifactIfAlreadyExistsByExternalID: message.options.reuseArtifactIfAlreadyExistByExternalID))
            for (offset, artifact) in message.artifacts.enumerated() {
                write.artifacts.append(try artifact.nodeWrite(field: "artifacts[\(offset)]", mask: nil, checkUpdateTime: false))
            }
            for (offset, execution) in message.executions.enumerated() {
                write.executions.append(
                    try execution.nodeWrite(field: "executions[\(offset)]", mask: nil, checkUpdateTime: false))
            }
            write.contexts = try contextWrites(message.contexts, forceReuse: false)
            var endpoints = EdgeEndpoints(artifacts: message.artifacts, executions: message.executions)
            for (offset, edge) in message.eventEdges.enumerated() {
                write.events.append(try endpoints.edge(edge, field: "event_edges[\(offset)]", write: &write))
            }
            if endpoints.addedReferences {
                // Nodes named only by an event's id are linked by that event, not attributed to the contexts.
                let contexts = write.contexts.indices
                write.attributions = contexts.flatMap { c in message.artifacts.indices.map { IndexLink(contextIndex: c, nodeIndex: $0) } }
                write.associations = contexts.flatMap { c in message.executions.indices.map { IndexLink(contextIndex: c, nodeIndex: $0) } }
            }
            let result = try await Self.referencesMustExist { () async throws(ProvenanceError) in
                try await store.write(write, namespace: namespace)
            }
            return .with {
                $0.artifactIds = result.ids(.artifact)
                $0.executionIds = result.ids(.execution)
                $0.contextIds = result.ids(.context)
            }
        }
    }

    func putAttributionsAndAssociations(
        request: ServerRequest<MlMetadata_PutAttributionsAndAssociationsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutAttributionsAndAssociationsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let attributions = message.attributions.map { (ArtifactID($0.artifactID), ContextID($0.contextID)) }
            let associations = message.associations.map { (ExecutionID($0.executionID), ContextID($0.contextID)) }
            try await Self.referencesMustExist { () async throws(ProvenanceError) in
                try await store.link(attributions: attributions, associations: associations, namespace: namespace)
            }
            return MlMetadata_PutAttributionsAndAssociationsResponse()
        }
    }

    func putParentContexts(
        request: ServerRequest<MlMetadata_PutParentContextsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_PutParentContextsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            var links: [(parent: ContextID, child: ContextID)] = []
            for (offset, link) in message.parentContexts.enumerated() {
                guard link.hasParentID, link.hasChildID else {
                    throw .invalid("parent_contexts[\(offset)]", "needs parent_id and child_id")
                }
                links.append((ContextID(link.parentID), ContextID(link.childID)))
            }
            do throws(ProvenanceError) {
                try await Self.referencesMustExist { () async throws(ProvenanceError) in
                    try await store.addParents(links, namespace: namespace, rejectDuplicates: true)
                }
            } catch where error.details?["reason"] == "cycle" {
                // MLMD reports a cycle as a bad request rather than as a conflict.
                throw ProvenanceError(.invalidArgument, error.message)
            }
            return MlMetadata_PutParentContextsResponse()
        }
    }

    func getEventsByExecutionIDs(
        request: ServerRequest<MlMetadata_GetEventsByExecutionIDsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetEventsByExecutionIDsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let events = try await store.events(
                namespace: namespace, artifactIDs: [], executionIDs: message.executionIds.map(ExecutionID.init))
            return .with { $0.events = events.map(MlMetadata_Event.init) }
        }
    }

    func getEventsByArtifactIDs(
        request: ServerRequest<MlMetadata_GetEventsByArtifactIDsRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetEventsByArtifactIDsResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let events = try await store.events(
                namespace: namespace, artifactIDs: message.artifactIds.map(ArtifactID.init), executionIDs: [])
            return .with { $0.events = events.map(MlMetadata_Event.init) }
        }
    }
}

extension MetadataStoreService {
    /// The contexts of a composite write; with `forceReuse`, a context given by id is only linked, not updated.
    func contextWrites(_ contexts: [MlMetadata_Context], forceReuse: Bool) throws(ProvenanceError) -> [NodeWrite] {
        var writes: [NodeWrite] = []
        for (offset, context) in contexts.enumerated() {
            if forceReuse && context.hasID {
                writes.append(.update(id: context.id, NodePatch()))
            } else {
                writes.append(try context.nodeWrite(field: "contexts[\(offset)]", mask: nil, checkUpdateTime: false))
            }
        }
        return writes
    }

    /// Runs a write that names stored nodes by id: MLMD reports an id that names nothing as a bad argument of the
    /// write (INVALID_ARGUMENT), not as NOT_FOUND.
    static func referencesMustExist<Result>(_ write: () async throws(ProvenanceError) -> Result)
        async throws(ProvenanceError) -> Result
    {
        do {
            return try await write()
        } catch where error.code == .notFound {
            throw ProvenanceError(.invalidArgument, error.message)
        }
    }
}

/// The ends of the event edges of PutLineageSubgraph (and of PutExecution's pairs): a node of the request by index,
/// checked against the event's ids, or a stored node named only by the event's artifact_id or execution_id, which
/// joins the write as an unchanged reference.
struct EdgeEndpoints {
    let artifacts: [MlMetadata_Artifact]
    let executions: [MlMetadata_Execution]
    private var referencedArtifacts: [Int64: Int] = [:]
    private var referencedExecutions: [Int64: Int] = [:]

    init(artifacts: [MlMetadata_Artifact], executions: [MlMetadata_Execution]) {
        self.artifacts = artifacts
        self.executions = executions
    }

    /// Whether some edge named a node that is not among the request's nodes.
    var addedReferences: Bool { !referencedArtifacts.isEmpty || !referencedExecutions.isEmpty }

    /// The write's event for `edge`; a stored node named only by the event's id joins `write` as a reference.
    mutating func edge(
        _ edge: MlMetadata_PutLineageSubgraphRequest.EventEdge, field: String, write: inout LineageWrite
    ) throws(ProvenanceError) -> EventEdge {
        let event = edge.event
        let artifactIndex = try Self.index(
            given: edge.hasArtifactIndex ? Int(edge.artifactIndex) : nil, id: event.hasArtifactID ? event.artifactID : nil,
            nodeIDs: artifacts.map { $0.hasID ? $0.id : nil }, references: &referencedArtifacts,
            writes: &write.artifacts, field: field, end: "artifact")
        let executionIndex = try Self.index(
            given: edge.hasExecutionIndex ? Int(edge.executionIndex) : nil,
            id: event.hasExecutionID ? event.executionID : nil, nodeIDs: executions.map { $0.hasID ? $0.id : nil },
            references: &referencedExecutions, writes: &write.executions, field: field, end: "execution")
        return try event.edge(artifactIndex: artifactIndex, executionIndex: executionIndex, field: field + ".event")
    }

    private static func index(
        given: Int?, id: Int64?, nodeIDs: [Int64?], references: inout [Int64: Int], writes: inout [NodeWrite],
        field: String, end: String
    ) throws(ProvenanceError) -> Int {
        if let given {
            if let id, nodeIDs.indices.contains(given), let nodeID = nodeIDs[given], nodeID != id {
                throw .invalid("\(field).event.\(end)_id", "\(id) differs from the id \(nodeID) of \(end)s[\(given)]")
            }
            return given
        }
        guard let id else { throw .invalid(field, "needs \(end)_index or event.\(end)_id") }
        if let offset = nodeIDs.firstIndex(of: id) { return offset }
        if let known = references[id] { return known }
        references[id] = writes.count
        writes.append(.update(id: id, NodePatch()))
        return writes.count - 1
    }
}
