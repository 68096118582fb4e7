import Hummingbird
import ProvenanceAPI
import ProvenanceCore

extension APIRoutes {
    /// Lineage questions: provenance, impact and results of an artifact, and MLMD's general subgraph query.
    func registerLineage(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.get("artifacts/{id}/provenance") { request, context in
            try await artifactLineage(request, context, direction: .upstream, defaultBaseType: "DATASET")
        }
        namespace.get("artifacts/{id}/impact") { request, context in
            try await artifactLineage(request, context, direction: .downstream, defaultBaseType: "MODEL")
        }
        namespace.get("artifacts/{id}/results") { request, context in
            let dataset = try request.queryInt("dataset_id")
            return try await artifactLineage(
                request, context, direction: .downstream, defaultBaseType: "METRICS", readingArtifact: dataset)
        }
        namespace.post("lineage:query") { request, context in
            let (query, fields) = try WireLineage.query(try await body(request))
            let graph = try await store.lineageSubgraph(query, fields: fields, namespace: try context.namespace())
            return JSONResponse.make(WireLineage.json(graph, fields: fields))
        }
    }

    private func artifactLineage(
        _ request: Request, _ context: APIRequestContext, direction: LineageDirection, defaultBaseType: String,
        readingArtifact: Int64? = nil
    ) async throws -> Response {
        let selection: ArtifactSelection
        switch (try request.query("base_type"), try request.query("filter")) {
        case (nil, nil): selection = .baseType(defaultBaseType)
        case (let baseType?, nil): selection = .baseType(baseType)
        case (nil, let text?): selection = .filter(try Filter.parse(text, kind: .artifact))
        case (_?, _?): throw ProvenanceError.invalid("filter", "give base_type or filter, not both")
        }
        let maxHops = try request.queryInt("max_hops").map { Int(clamping: $0) } ?? LineageQuery.defaultMaxHops
        let nodeLimit = try request.queryInt("max_nodes").map { Int(clamping: $0) } ?? LineageQuery.defaultNodeLimit
        let report = try await store.artifactLineage(
            of: try context.id(), direction: direction, selection: selection, maxHops: maxHops, nodeLimit: nodeLimit,
            limitNames: .init(maxHops: "max_hops", nodeLimit: "max_nodes"), readingArtifact: readingArtifact, namespace: try context.namespace())
        return JSONResponse.make(WireLineage.json(report))
    }
}
