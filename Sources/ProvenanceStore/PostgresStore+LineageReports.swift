import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// MLMD's GetLineageSubgraph: the nodes a traversal reaches, with the events between them, their contexts and
    /// their types, as `fields` asks.
    public func lineageSubgraph(_ query: LineageQuery, fields: LineageFields, namespace: String)
        async throws(ProvenanceError) -> LineageSubgraph
    {
        try query.validate()
        let namespaceID = try await namespaceID(namespace)
        var graph = LineageSubgraph()
        // Without ending filters no node is an ending node, and leaving the condition out keeps the prepared form.
        let hasEndingFilters = query.endingArtifacts != nil || query.endingExecutions != nil
        let endingNodes = query.includeEndingNodes || !hasEndingFilters
        // Parent links are those among the subgraph's contexts, so asking for them reads the contexts too.
        let needsContexts = !fields.isDisjoint(with: [.contexts, .types, .parentContexts])
        let parts = fields.isDisjoint(with: [.artifacts, .executions, .contexts, .types, .parentContexts])
            ? [] : LineageTemplates.subgraphParts(endingNodes: endingNodes, contexts: needsContexts)
        let (traversal, nodes, events) = try await walkAndNodes(
            query, parts, eventsBetween: fields.contains(.events) ? .walked(endingNodes: endingNodes) : nil,
            namespaceID: namespaceID)
        if !parts.isEmpty { (graph.artifacts, graph.executions, graph.contexts) = (nodes[0], nodes[1], nodes[2]) }
        graph.events = events
        graph.truncated = traversal.truncated
        for step in traversal.steps where query.includeEndingNodes || !step.isEnding {
            graph.hops[step.kind, default: [:]][step.id] = step.hops
        }
        if fields.contains(.types) {
            var typeIDs: [TypeID] = []
            for node in graph.artifacts + graph.executions + graph.contexts where !typeIDs.contains(node.typeID) {
                typeIDs.append(node.typeID)
            }
            for typeID in typeIDs {
                graph.types.append(try await type(typeID, namespaceID: namespaceID, refresh: false))
            }
        }
        if !fields.isDisjoint(with: [.attributions, .associations, .parentContexts]) {
            let links = try await contextLinks(
                artifacts: fields.contains(.attributions) ? graph.hops[.artifact]?.keys.sorted() ?? [] : [],
                executions: fields.contains(.associations) ? graph.hops[.execution]?.keys.sorted() ?? [] : [],
                contexts: fields.contains(.parentContexts) ? graph.contexts.map(\.id) : [])
            (graph.attributions, graph.associations, graph.parentContexts) = links
        }
        if !fields.contains(.artifacts) { graph.artifacts = [] }
        if !fields.contains(.executions) { graph.executions = [] }
        if !fields.contains(.contexts) { graph.contexts = [] }
        return graph
    }

    /// The context links of the given artifacts and executions, and the parent links among the given contexts,
    /// read in one statement.
    private func contextLinks(artifacts: [Int64], executions: [Int64], contexts: [Int64]) async throws(ProvenanceError)
        -> (attributions: [ContextLink], associations: [ContextLink], parents: [ParentContextLink])
    {
        guard !artifacts.isEmpty || !executions.isEmpty || !contexts.isEmpty else { return ([], [], []) }
        return try await perform { [self] connection in
            let rows = try await connection.query(
                """
                SELECT 0::int2, context_id, artifact_id FROM attributions WHERE artifact_id = ANY(\(artifacts))
                UNION ALL
                SELECT 1::int2, context_id, execution_id FROM associations WHERE execution_id = ANY(\(executions))
                UNION ALL
                SELECT 2::int2, parent_id, child_id FROM parent_contexts
                WHERE child_id = ANY(\(contexts)) AND parent_id = ANY(\(contexts))
                ORDER BY 1, 3, 2
                """, logger: logger)
            var links: (attributions: [ContextLink], associations: [ContextLink], parents: [ParentContextLink]) = ([], [], [])
            for try await (kind, context, node) in rows.decode((Int16, Int64, Int64).self) {
                switch kind {
                case 0: links.attributions.append(ContextLink(contextID: ContextID(context), nodeID: node))
                case 1: links.associations.append(ContextLink(contextID: ContextID(context), nodeID: node))
                default: links.parents.append(ParentContextLink(childID: ContextID(node), parentID: ContextID(context)))
                }
            }
            return links
        }
    }

    /// Provenance (upstream) or impact (downstream) of an artifact: the related artifacts `selection` picks, each
    /// with its distance and the chain connecting it, and the executions one hop away with their contexts. With
    /// `readingArtifact`, only artifacts output by an execution that also read that artifact are kept ("metrics
    /// of this model on that dataset").
    public func artifactLineage(
        of id: Int64, direction: LineageDirection, selection: ArtifactSelection, maxHops: Int, nodeLimit: Int,
        readingArtifact: Int64? = nil, namespace: String
    ) async throws(ProvenanceError) -> ArtifactLineageReport {
        let query = LineageQuery(startingArtifacts: .ids([id]), direction: direction, maxHops: maxHops, nodeLimit: nodeLimit)
        try query.validate()
        let namespaceID = try await namespaceID(namespace)
        let parts = LineageTemplates.artifactLineageParts(
            start: id, selection: selection, readingArtifact: readingArtifact)
        let (traversal, nodes, _) = try await walkAndNodes(query, parts, namespaceID: namespaceID)
        guard let start = nodes[0].first(where: { $0.id == id }) else { throw .notFound("artifact \(id) not found") }
        if let readingArtifact, !nodes[0].contains(where: { $0.id == readingArtifact }) {
            throw .notFound("artifact \(readingArtifact) not found")
        }
        let selected = Dictionary(uniqueKeysWithValues: nodes[1].map { ($0.id, $0) })
        let relatedSteps = traversal.steps.filter { $0.kind == .artifact && selected[$0.id] != nil }
        let related = zip(relatedSteps, traversal.paths(to: relatedSteps)).map { step, path in
            RelatedArtifact(artifact: selected[step.id]!, hops: step.hops, path: path)
        }
        return ArtifactLineageReport(
            direction: direction, artifact: start, executions: nodes[2], contexts: nodes[3], related: related,
            truncated: traversal.truncated)
    }
}
