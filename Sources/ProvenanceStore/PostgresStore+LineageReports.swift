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
        // The statement's text does not depend on `fields`: what is not asked for is switched off by bound values,
        // so every request runs the one prepared statement (planning a statement of this size takes milliseconds).
        // Types and parent links need the nodes, so any field but the events reads them.
        let walked = try await walkAndNodes(
            query, LineageTemplates.subgraphParts(endingNodes: endingNodes), eventsBetween: .walked(endingNodes: endingNodes),
            links: LineageTemplates.subgraphLinks(endingNodes: endingNodes, fields: fields),
            readingNodes: !fields.isDisjoint(with: LineageFields.all.subtracting(.events)),
            readingEvents: fields.contains(.events), namespaceID: namespaceID)
        graph.artifacts = walked.nodes(.artifacts)
        graph.executions = walked.nodes(.executions)
        graph.contexts = walked.nodes(.contexts)
        (graph.events, graph.attributions, graph.associations, graph.parentContexts) =
            (walked.events, walked.attributions, walked.associations, walked.parents)
        graph.truncated = walked.traversal.truncated
        for step in walked.traversal.steps where query.includeEndingNodes || !step.isEnding {
            graph.hops[step.kind, default: [:]][step.id] = step.hops
        }
        if !fields.isDisjoint(with: [.artifacts, .executions]) {
            let fetched = [NodeKind.artifact: Set(graph.artifacts.map(\.id)), .execution: Set(graph.executions.map(\.id))]
            graph.deleted = try await tombstones(
                graph.hops.mapValues { $0.keys.sorted() }.reduce(into: [:]) { missing, entry in
                    missing[entry.key] = entry.value.filter { !(fetched[entry.key]?.contains($0) ?? false) }
                }, namespaceID: namespaceID)
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
        if !fields.contains(.artifacts) { graph.artifacts = [] }
        if !fields.contains(.executions) { graph.executions = [] }
        if !fields.contains(.contexts) { graph.contexts = [] }
        return graph
    }

    /// Provenance (upstream) or impact (downstream) of an artifact: the related artifacts `selection` picks, each
    /// with its distance and the chain connecting it, and the executions one hop away with their contexts. With
    /// `readingArtifact`, only artifacts output by an execution that also read that artifact are kept ("metrics
    /// of this model on that dataset").
    public func artifactLineage(
        of id: Int64, direction: LineageDirection, selection: ArtifactSelection, maxHops: Int, nodeLimit: Int,
        limitNames: LineageQuery.LimitNames = .init(), readingArtifact: Int64? = nil, namespace: String
    ) async throws(ProvenanceError) -> ArtifactLineageReport {
        let query = LineageQuery(startingArtifacts: .ids([id]), direction: direction, maxHops: maxHops, nodeLimit: nodeLimit)
        try query.validate(names: limitNames)
        let namespaceID = try await namespaceID(namespace)
        let parts = LineageTemplates.artifactLineageParts(
            start: id, selection: selection, readingArtifact: readingArtifact)
        let walked = try await walkAndNodes(query, parts, namespaceID: namespaceID)
        let traversal = walked.traversal
        let requested = walked.nodes(.requested)
        guard let start = requested.first(where: { $0.id == id }) else { throw .notFound("artifact \(id) not found") }
        if let readingArtifact, !requested.contains(where: { $0.id == readingArtifact }) {
            throw .notFound("artifact \(readingArtifact) not found")
        }
        let selected = Dictionary(uniqueKeysWithValues: walked.nodes(.related).map { ($0.id, $0) })
        let relatedSteps = traversal.steps.filter { $0.kind == .artifact && selected[$0.id] != nil }
        let related = zip(relatedSteps, traversal.paths(to: relatedSteps)).map { step, path in
            RelatedArtifact(artifact: selected[step.id]!, hops: step.hops, path: path)
        }
        var report = ArtifactLineageReport(
            direction: direction, artifact: start, executions: walked.nodes(.executions), contexts: walked.nodes(.contexts),
            related: related,
            truncated: traversal.truncated)
        // The walk passes through deleted nodes (their events stay): the paths name them, and the report says so.
        let known = Set((requested + report.executions + related.map(\.artifact)).map { "\($0.kind)\($0.id)" })
        var onPaths: [NodeKind: [Int64]] = [:]
        for (kind, nodeID) in related.flatMap(\.path) where !known.contains("\(kind)\(nodeID)") {
            if !(onPaths[kind]?.contains(nodeID) ?? false) { onPaths[kind, default: []].append(nodeID) }
        }
        report.deleted = try await tombstones(onPaths, namespaceID: namespaceID)
        return report
    }
}
