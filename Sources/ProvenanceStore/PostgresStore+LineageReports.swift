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
        let traversal = try await traverse(query, namespaceID: namespaceID)
        let steps = traversal.steps.filter { query.includeEndingNodes || !$0.isEnding }
        let artifactIDs = steps.filter { $0.kind == .artifact }.map(\.id)
        let executionIDs = steps.filter { $0.kind == .execution }.map(\.id)
        var graph = LineageSubgraph()
        graph.truncated = traversal.truncated
        for step in steps { graph.hops[step.kind, default: [:]][step.id] = step.hops }
        let needsNodes = fields.contains(.types)
        if needsNodes || fields.contains(.artifacts) {
            graph.artifacts = try await nodes(.artifact, ids: artifactIDs, namespaceID: namespaceID)
        }
        if needsNodes || fields.contains(.executions) {
            graph.executions = try await nodes(.execution, ids: executionIDs, namespaceID: namespaceID)
        }
        if needsNodes || fields.contains(.contexts) {
            let contextIDs = try await contextIDs(ofArtifacts: artifactIDs, executions: executionIDs)
            graph.contexts = try await nodes(.context, ids: contextIDs, namespaceID: namespaceID)
        }
        if fields.contains(.events) {
            graph.events = try await events(between: artifactIDs, and: executionIDs)
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
        readingArtifact: Int64? = nil, namespace: String
    ) async throws(ProvenanceError) -> ArtifactLineageReport {
        let query = LineageQuery(startingArtifacts: .ids([id]), direction: direction, maxHops: maxHops, nodeLimit: nodeLimit)
        try query.validate()
        let namespaceID = try await namespaceID(namespace)
        guard let start = try await nodes(.artifact, ids: [id], namespaceID: namespaceID).first else {
            throw .notFound("artifact \(id) not found")
        }
        if let readingArtifact, try await nodes(.artifact, ids: [readingArtifact], namespaceID: namespaceID).isEmpty {
            throw .notFound("artifact \(readingArtifact) not found")
        }
        let traversal = try await traverse(query, namespaceID: namespaceID)
        let candidates = traversal.steps.filter { $0.kind == .artifact && $0.id != id }.map(\.id)
        var selected = try await matching(candidates, selection, namespaceID: namespaceID)
        if let readingArtifact {
            selected = try await outputsOfExecutionsReading(readingArtifact, among: Array(selected))
        }
        let relatedSteps = traversal.steps.filter { $0.kind == .artifact && selected.contains($0.id) }
        let artifacts = try await nodes(.artifact, ids: relatedSteps.map(\.id), namespaceID: namespaceID)
        let related = zip(zip(relatedSteps, artifacts), traversal.paths(to: relatedSteps)).map { pair, path in
            RelatedArtifact(artifact: pair.1, hops: pair.0.hops, path: path)
        }
        let neighbourIDs = traversal.steps.filter { $0.kind == .execution && $0.hops == 1 }.map(\.id)
        let executions = try await nodes(.execution, ids: neighbourIDs, namespaceID: namespaceID)
        let contextIDs = try await contextIDs(ofArtifacts: [], executions: neighbourIDs)
        return ArtifactLineageReport(
            direction: direction, artifact: start, executions: executions,
            contexts: try await nodes(.context, ids: contextIDs, namespaceID: namespaceID), related: related,
            truncated: traversal.truncated)
    }

    /// Those of `artifacts` that an execution output after reading `input`.
    private func outputsOfExecutionsReading(_ input: Int64, among artifacts: [Int64]) async throws(ProvenanceError)
        -> Set<Int64>
    {
        guard !artifacts.isEmpty else { return [] }
        var sql = SQLBuilder()
        let candidates = sql.bind(artifacts, as: "int8[]")
        let outputs = sql.bind(EventType.allCases.filter(\.isOutput).map(\.rawValue), as: "int2[]")
        let read = sql.bind(input, as: "int8")
        let inputs = sql.bind(EventType.allCases.filter(\.isInput).map(\.rawValue), as: "int2[]")
        sql.append("""
            SELECT DISTINCT o.artifact_id FROM events o JOIN events i ON i.execution_id = o.execution_id
            WHERE o.artifact_id = ANY(\(candidates)) AND o.type = ANY(\(outputs))
                AND i.artifact_id = \(read) AND i.type = ANY(\(inputs))
            """)
        return try await selectIDs(sql)
    }
}
