import GRPCCore
import ProvenanceCore
import ProvenanceStore

/// GetLineageSubgraph and GetLineageGraph, through the same traversal as REST's lineage:query.
extension MetadataStoreService {
    func getLineageSubgraph(
        request: ServerRequest<MlMetadata_GetLineageSubgraphRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetLineageSubgraphResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let options = message.lineageSubgraphQueryOptions
            let field = "lineage_subgraph_query_options"
            var query = LineageQuery()
            switch options.startingNodes {
            case .startingArtifacts(let nodes)?:
                query.startingArtifacts = .filter(
                    try Filter.parse(nodes.filterQuery, kind: .artifact, field: field + ".starting_artifacts.filter_query"))
            case .startingExecutions(let nodes)?:
                query.startingExecutions = .filter(
                    try Filter.parse(nodes.filterQuery, kind: .execution, field: field + ".starting_executions.filter_query"))
            case nil:
                throw .invalid(field, "give starting_artifacts or starting_executions")
            }
            if options.hasMaxNumHops {
                guard options.maxNumHops >= 0 else {
                    throw .invalid(field + ".max_num_hops", "must not be negative, got \(options.maxNumHops)")
                }
                query.maxHops = Int(clamping: options.maxNumHops)
            }
            query.direction =
                switch options.direction {
                case .upstream: .upstream
                case .downstream: .downstream
                case .bidirectional, .unspecified: .both
                }
            var includeEnding: Bool?
            if options.hasEndingArtifacts {
                query.endingArtifacts = try Filter.parse(
                    options.endingArtifacts.filterQuery, kind: .artifact, field: field + ".ending_artifacts.filter_query")
                includeEnding = options.endingArtifacts.includeEndingNodes
            }
            if options.hasEndingExecutions {
                query.endingExecutions = try Filter.parse(
                    options.endingExecutions.filterQuery, kind: .execution, field: field + ".ending_executions.filter_query")
                if let given = includeEnding, given != options.endingExecutions.includeEndingNodes {
                    throw .invalid(field + ".ending_executions.include_ending_nodes", "must equal ending_artifacts.include_ending_nodes")
                }
                includeEnding = options.endingExecutions.includeEndingNodes
            }
            query.includeEndingNodes = includeEnding ?? false
            query.nodeLimit = LineageQuery.maximumNodeLimit
            let fields = try Self.lineageFields(message.hasReadMask ? message.readMask.paths : [])
            let graph = try await store.lineageSubgraph(query, fields: fields, namespace: namespace)
            // MLMD's answer has no way to say it was cut short; a graph over the cap is an error, not a silent part.
            guard !graph.truncated else {
                throw ProvenanceError(
                    .payloadTooLarge,
                    "the subgraph reaches more than \(LineageQuery.maximumNodeLimit) nodes, the most one answer may "
                        + "hold; lower max_num_hops or add ending filters")
            }
            return .with { $0.lineageSubgraph = MlMetadata_LineageGraph(graph) }
        }
    }

    func getLineageGraph(
        request: ServerRequest<MlMetadata_GetLineageGraphRequest>, context: ServerContext
    ) async throws -> ServerResponse<MlMetadata_GetLineageGraphResponse> {
        try await handle(request) { message, namespace throws(ProvenanceError) in
            let options = message.options
            guard case .artifactsOptions(let seedOptions)? = options.queryNodes else {
                throw .invalid("options.artifacts_options", "is required: it selects the artifacts to start from")
            }
            var query = LineageQuery(direction: .both)
            let stop = options.stopConditions
            if stop.hasMaxNumHops {
                guard stop.maxNumHops >= 0 else {
                    throw .invalid("options.stop_conditions.max_num_hops", "must not be negative, got \(stop.maxNumHops)")
                }
                query.maxHops = Int(clamping: stop.maxNumHops)
            }
            // MLMD keeps only nodes that satisfy the boundary and prunes what lies behind the others: the others
            // are ending nodes that are left out.
            if stop.hasBoundaryArtifacts {
                let boundary = try Filter.parse(
                    stop.boundaryArtifacts, kind: .artifact, field: "options.stop_conditions.boundary_artifacts")
                query.endingArtifacts = Filter(kind: .artifact, condition: .not(boundary.condition))
            }
            if stop.hasBoundaryExecutions {
                let boundary = try Filter.parse(
                    stop.boundaryExecutions, kind: .execution, field: "options.stop_conditions.boundary_executions")
                query.endingExecutions = Filter(kind: .execution, condition: .not(boundary.condition))
            }
            query.nodeLimit =
                options.maxNodeSize > 0
                ? Int(clamping: min(options.maxNodeSize, Int64(LineageQuery.maximumNodeLimit)))
                : LineageQuery.maximumNodeLimit
            // The options are checked before the seeds are read.
            let seeds = try await listNodes(
                MlMetadata_Artifact.self, options: seedOptions, filter: NodeListFilter(), namespace: namespace)
            guard !seeds.nodes.isEmpty else { return MlMetadata_GetLineageGraphResponse() }
            query.startingArtifacts = .ids(seeds.nodes.map(\.id))
            let graph = try await store.lineageSubgraph(query, fields: .all, namespace: namespace)
            return .with { $0.subgraph = MlMetadata_LineageGraph(graph) }
        }
    }
}

extension MetadataStoreService {
    /// The parts a read mask asks for; no path means all of them, as in MLMD.
    static func lineageFields(_ paths: [String]) throws(ProvenanceError) -> LineageFields {
        guard !paths.isEmpty else { return .all }
        var fields: LineageFields = []
        for (offset, path) in paths.enumerated() { fields.formUnion(try LineageFields.named(path, field: "read_mask.paths[\(offset)]")) }
        return fields
    }
}

extension MlMetadata_LineageGraph {
    /// The message of a subgraph.
    init(_ graph: LineageSubgraph) {
        self.init()
        artifacts = graph.artifacts.map(MlMetadata_Artifact.init)
        executions = graph.executions.map(MlMetadata_Execution.init)
        contexts = graph.contexts.map(MlMetadata_Context.init)
        events = graph.events.map(MlMetadata_Event.init)
        for type in graph.types {
            switch type.kind {
            case .artifact: artifactTypes.append(MlMetadata_ArtifactType(type))
            case .execution: executionTypes.append(MlMetadata_ExecutionType(type))
            case .context: contextTypes.append(MlMetadata_ContextType(type))
            }
        }
        attributions = graph.attributions.map { link in
            .with {
                $0.artifactID = link.nodeID
                $0.contextID = link.contextID.rawValue
            }
        }
        associations = graph.associations.map { link in
            .with {
                $0.executionID = link.nodeID
                $0.contextID = link.contextID.rawValue
            }
        }
        parentContexts = graph.parentContexts.map { link in
            .with {
                $0.childID = link.childID.rawValue
                $0.parentID = link.parentID.rawValue
            }
        }
    }
}
