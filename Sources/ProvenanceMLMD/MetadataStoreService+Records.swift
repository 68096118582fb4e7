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
            // Each pair's event joins its artifact and the request's execution, as an edge by index would. A pair may
            // carry only an event naming a stored artifact by id; that artifact is linked by the event alone.
            var edges: [(field: String, edge: MlMetadata_PutLineageSubgraphRequest.EventEdge)] = []
            for (offset, pair) in message.artifactEventPairs.enumerated() {
                let field = "artifact_event_pairs[\(offset)]"
                var edge = MlMetadata_PutLineageSubgraphRequest.EventEdge.with {
                    $0.executionIndex = 0
                    $0.event = pair.event
                }
                if pair.hasArtifact {
                    edge.artifactIndex = Int32(write.artifacts.count)
                    write.artifacts.append(try pair.artifact.nodeWrite(field: field + ".artifact", mask: nil, checkUpdateTime: false))
                } else if !pair.event.hasArtifactID {
                    throw .invalid(field, "needs an artifact, or an event with artifact_id")
                }
                if pair.hasEvent { edges.append((field, edge)) }
            }
            var endpoints = EdgeEndpoints(
                artifacts: message.artifactEventPairs.filter(\.hasArtifact).map(\.artifact), executions: [message.execution])
            for (field, edge) in edges { write.events.append(try endpoints.edge(edge, field: field, write: &write)) }
            write.contexts = try contextWrites(message.contexts, forceReuse: options.forceReuseContext)
            endpoints.linkRequestNodesOnly(in: &write)
            let result = try await Self.referencesMustExist { () async throws(ProvenanceError) in
                try await store.write(write, namespace: namespace)
            }
            return .with {
                $0.executionID = result.executionIDs[0].rawValue
                $0.artifactIds = endpoints.requestIDs(result, .artifact)
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
            endpoints.linkRequestNodesOnly(in: &write)
            let result = try await Self.referencesMustExist { () async throws(ProvenanceError) in
                try await store.write(write, namespace: namespace)
            }
            return .with {
                $0.artifactIds = endpoints.requestIDs(result, .artifact)
                $0.executionIds = endpoints.requestIDs(result, .execution)
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
/// joins the write as an unchanged reference after the request's own nodes.
struct EdgeEndpoints {
    private var artifacts: Ends
    private var executions: Ends

    init(artifacts: [MlMetadata_Artifact], executions: [MlMetadata_Execution]) {
        self.artifacts = Ends(artifacts.map { $0.hasID ? $0.id : nil })
        self.executions = Ends(executions.map { $0.hasID ? $0.id : nil })
    }

    /// The write's event for `edge`; a stored node named only by the event's id joins `write` as a reference.
    mutating func edge(
        _ edge: MlMetadata_PutLineageSubgraphRequest.EventEdge, field: String, write: inout LineageWrite
    ) throws(ProvenanceError) -> EventEdge {
        let event = edge.event
        let artifactIndex = try artifacts.index(
            given: edge.hasArtifactIndex ? Int(edge.artifactIndex) : nil, id: event.hasArtifactID ? event.artifactID : nil,
            writes: &write.artifacts, field: field, end: "artifact")
        let executionIndex = try executions.index(
            given: edge.hasExecutionIndex ? Int(edge.executionIndex) : nil,
            id: event.hasExecutionID ? event.executionID : nil, writes: &write.executions, field: field, end: "execution")
        return try event.edge(artifactIndex: artifactIndex, executionIndex: executionIndex, field: field + ".event")
    }

    /// Attributes the request's own artifacts and associates its own executions with the write's contexts: a node
    /// named only by an event's id is linked by that event, not to the contexts (MLMD's rule). Without such nodes
    /// the write's default (every node with every context) is the same.
    func linkRequestNodesOnly(in write: inout LineageWrite) {
        guard !artifacts.references.isEmpty || !executions.references.isEmpty else { return }
        let contexts = write.contexts.indices
        write.attributions = contexts.flatMap { c in artifacts.ids.indices.map { IndexLink(contextIndex: c, nodeIndex: $0) } }
        write.associations = contexts.flatMap { c in executions.ids.indices.map { IndexLink(contextIndex: c, nodeIndex: $0) } }
    }

    /// The ids of the request's own nodes of `kind`, in request order (the referenced nodes come after them).
    func requestIDs(_ result: LineageWriteResult, _ kind: NodeKind) -> [Int64] {
        Array(result.ids(kind).prefix(kind == .artifact ? artifacts.ids.count : executions.ids.count))
    }

    /// One end of the edges: the ids of the request's nodes (nil for a new node), where each id stands, and the
    /// stored nodes named only by an event's id, with their position in the write.
    private struct Ends {
        let ids: [Int64?]
        let offsets: [Int64: Int]
        var references: [Int64: Int] = [:]

        init(_ ids: [Int64?]) {
            self.ids = ids
            offsets = Dictionary(
                ids.enumerated().compactMap { offset, id in id.map { ($0, offset) } }, uniquingKeysWith: { first, _ in first })
        }

        mutating func index(given: Int?, id: Int64?, writes: inout [NodeWrite], field: String, end: String)
            throws(ProvenanceError) -> Int
        {
            if let given {
                guard ids.indices.contains(given) else {
                    throw .invalid("\(field).\(end)_index", "\(given) is not the index of one of the request's \(ids.count) \(end)s")
                }
                if let id, id != ids[given] {
                    let stored = ids[given].map { "the id \($0) of \(end)s[\(given)]" } ?? "\(end)s[\(given)], a new \(end)"
                    throw .invalid("\(field).event.\(end)_id", "\(id) differs from \(stored)")
                }
                return given
            }
            guard let id else { throw .invalid(field, "needs \(end)_index or event.\(end)_id") }
            if let offset = offsets[id] ?? references[id] { return offset }
            references[id] = writes.count
            writes.append(.update(id: id, NodePatch()))
            return writes.count - 1
        }
    }
}
