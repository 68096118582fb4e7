import ProvenanceCore

/// The REST representation of lineage questions and answers (MLMD's field names where MLMD has them).
public enum WireLineage {
    /// A `lineage:query` body: MLMD's LineageSubgraphQueryOptions plus a node cap and a read mask.
    public static func query(_ json: JSON) throws(ProvenanceError) -> (LineageQuery, LineageFields) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown([
            "starting_artifacts", "starting_executions", "direction", "max_num_hops", "ending_artifacts",
            "ending_executions", "max_node_size", "read_mask",
        ])
        var query = LineageQuery()
        query.startingArtifacts = try selection(reader, "starting_artifacts", kind: .artifact)
        query.startingExecutions = try selection(reader, "starting_executions", kind: .execution)
        if let direction = try reader.string("direction") { query.direction = try LineageDirection.parse(direction) }
        if let hops = try reader.int("max_num_hops") { query.maxHops = Int(clamping: hops) }
        if let limit = try reader.int("max_node_size") { query.nodeLimit = Int(clamping: limit) }
        for (key, kind) in [("ending_artifacts", NodeKind.artifact), ("ending_executions", .execution)] {
            guard let ending = try reader.object(key) else { continue }
            try ending.rejectUnknown(["filter_query", "filter", "include_ending_nodes"])
            let filter = try filterText(ending).map { text throws(ProvenanceError) in
                try Filter.parse(text, kind: kind, field: ending.field("filter_query"))
            }
            if kind == .artifact { query.endingArtifacts = filter } else { query.endingExecutions = filter }
            if try ending.bool("include_ending_nodes") == true { query.includeEndingNodes = true }
        }
        try query.validate()
        return (query, try fields(reader))
    }

    /// `{"ids": [...]}` or `{"filter_query": "..."}` (`filter` too).
    private static func selection(_ reader: JSONObjectReader, _ key: String, kind: NodeKind) throws(ProvenanceError)
        -> NodeSelection?
    {
        guard let selection = try reader.object(key) else { return nil }
        try selection.rejectUnknown(["ids", "filter_query", "filter"])
        if let ids = try selection.array("ids") {
            guard !ids.isEmpty, try filterText(selection) == nil else {
                throw .invalid(selection.path, "give a non-empty ids array or a filter_query, not both")
            }
            return .ids(try ids.enumerated().map { offset, id throws(ProvenanceError) in
                try JSONObjectReader.integer(id, field: selection.field("ids[\(offset)]"))
            })
        }
        guard let text = try filterText(selection) else { throw .invalid(selection.path, "needs ids or filter_query") }
        return .filter(try Filter.parse(text, kind: kind, field: selection.field("filter_query")))
    }

    private static func filterText(_ reader: JSONObjectReader) throws(ProvenanceError) -> String? {
        if let text = try reader.string("filter_query") { return text }
        return try reader.string("filter")
    }

    /// The read mask: which parts of the subgraph to return (all by default).
    private static func fields(_ reader: JSONObjectReader) throws(ProvenanceError) -> LineageFields {
        guard let mask = try reader.array("read_mask") else { return .all }
        var fields: LineageFields = []
        for (offset, entry) in mask.enumerated() {
            guard case .string(let name) = entry else { throw .invalid("read_mask[\(offset)]", "must be a string") }
            fields.formUnion(try LineageFields.named(name, field: "read_mask[\(offset)]"))
        }
        return fields
    }

    public static func json(_ graph: LineageSubgraph, fields: LineageFields) -> JSON {
        func nodes(_ kind: NodeKind, _ list: [Node]) -> JSON {
            .array(list.map { node in withHops(WireNode.json(node), graph.hops[kind]?[node.id]) })
        }
        var members: [(key: String, value: JSON)] = []
        if fields.contains(.artifacts) { members.append((key: "artifacts", value: nodes(.artifact, graph.artifacts))) }
        if fields.contains(.executions) { members.append((key: "executions", value: nodes(.execution, graph.executions))) }
        if fields.contains(.contexts) { members.append((key: "contexts", value: .array(graph.contexts.map(WireNode.json)))) }
        if fields.contains(.events) { members.append((key: "events", value: .array(graph.events.map(WireEvent.json)))) }
        if fields.contains(.types) {
            for kind in NodeKind.allCases {
                let types = graph.types.filter { $0.kind == kind }
                members.append((key: "\(kind.rawValue)_types", value: .array(types.map(WireType.json))))
            }
        }
        func links(_ list: [ContextLink], node: String) -> JSON {
            .array(list.map { [node: .int($0.nodeID), "context_id": .int($0.contextID.rawValue)] })
        }
        if fields.contains(.attributions) {
            members.append((key: "attributions", value: links(graph.attributions, node: "artifact_id")))
        }
        if fields.contains(.associations) {
            members.append((key: "associations", value: links(graph.associations, node: "execution_id")))
        }
        if fields.contains(.parentContexts) {
            let parents: [JSON] = graph.parentContexts.map {
                ["child_id": .int($0.childID.rawValue), "parent_id": .int($0.parentID.rawValue)]
            }
            members.append((key: "parent_contexts", value: .array(parents)))
        }
        if !graph.deleted.isEmpty {
            members.append((key: "deleted", value: .array(graph.deleted.map(WireNode.json))))
        }
        members.append((key: "truncated", value: .bool(graph.truncated)))
        return .object(members)
    }

    /// A provenance, impact or results answer.
    public static func json(_ report: ArtifactLineageReport) -> JSON {
        let related: [JSON] = report.related.map { item in
            [
                "artifact": WireNode.json(item.artifact), "hops": .int(Int64(item.hops)),
                "path": .array(item.path.map { ["kind": .string($0.kind.rawValue), "id": .int($0.id)] }),
            ]
        }
        var members: [(key: String, value: JSON)] = [
            (key: "artifact", value: WireNode.json(report.artifact)),
            (key: report.direction == .upstream ? "producers" : "consumers", value: .array(report.executions.map(WireNode.json))),
            (key: "contexts", value: .array(report.contexts.map(WireNode.json))),
            (key: "artifacts", value: .array(related)),
        ]
        // Only when the paths went through deleted nodes, so answers without any are as they always were.
        if !report.deleted.isEmpty { members.append((key: "deleted", value: .array(report.deleted.map(WireNode.json)))) }
        members.append((key: "truncated", value: .bool(report.truncated)))
        return .object(members)
    }

    private static func withHops(_ node: JSON, _ hops: Int?) -> JSON {
        guard let hops, case .object(var members) = node else { return node }
        members.append((key: "hops", value: .int(Int64(hops))))
        return .object(members)
    }
}
