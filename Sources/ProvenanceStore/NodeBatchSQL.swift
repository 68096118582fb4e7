import PostgresNIO
import ProvenanceCore

/// One set of nodes in a batched read.
enum NodeBatchPart: Sendable {
    /// Artifacts by id, kept only if `selection` picks them and (with `outputOfExecutionReading`) an execution that
    /// read that artifact output them.
    case artifacts([Int64], selection: ArtifactSelection? = nil, outputOfExecutionReading: Int64? = nil)
    /// Executions by id.
    case executions([Int64])
    /// The contexts the artifacts are attributed to or the executions associated with.
    case contexts(ofArtifacts: [Int64], executions: [Int64])

    var kind: NodeKind {
        switch self {
        case .artifacts: .artifact
        case .executions: .execution
        case .contexts: .context
        }
    }
}

/// Reads several sets of nodes, of any kinds, in one statement: a `UNION ALL` of one branch per part, each row
/// tagged with its part's position. A lineage report needs its starting node, the related nodes, the neighbouring
/// executions and their contexts; each used to be a round trip of its own.
enum NodeBatchSQL {
    static func query(_ parts: [NodeBatchPart], namespaceID: NamespaceID) -> SQLBuilder {
        var sql = SQLBuilder()
        let namespace = sql.bind(namespaceID.rawValue, as: "int8")
        for (position, part) in parts.enumerated() {
            if position > 0 { sql.append("\nUNION ALL\n") }
            sql.append("""
                SELECT \(position)::int2, \(NodeTable.selectColumns("n"))
                FROM \(NodeTable.name(part.kind)) n JOIN types t ON t.id = n.type_id
                WHERE n.namespace_id = \(namespace) AND 
                """)
            switch part {
            case .artifacts(let ids, let selection, let reading):
                sql.append("n.id = ANY(\(sql.bind(ids, as: "int8[]")))")
                if let selection { appendSelection(selection, to: &sql) }
                if let reading { appendOutput(ofExecutionReading: reading, to: &sql) }
            case .executions(let ids):
                sql.append("n.id = ANY(\(sql.bind(ids, as: "int8[]")))")
            case .contexts(let artifacts, let executions):
                let (artifactIDs, executionIDs) = (sql.bind(artifacts, as: "int8[]"), sql.bind(executions, as: "int8[]"))
                sql.append("""
                    n.id = ANY(ARRAY(
                        SELECT l.context_id FROM unnest(\(artifactIDs)) AS s(id) JOIN attributions l ON l.artifact_id = s.id
                        UNION SELECT l.context_id FROM unnest(\(executionIDs)) AS s(id) JOIN associations l ON l.execution_id = s.id))
                    """)
            }
        }
        return sql
    }

    /// Keeps artifacts that a filter selects, or whose type has the base type or is named like it ("Dataset"
    /// matches base type DATASET and a type named Dataset).
    private static func appendSelection(_ selection: ArtifactSelection, to sql: inout SQLBuilder) {
        sql.append(" AND ")
        switch selection {
        case .filter(let filter):
            FilterSQL.append(filter, node: "n", to: &sql)
        case .baseType(let baseType):
            let name = sql.bind(baseType.uppercased(), as: "text")
            sql.append("(t.base_type = \(name) OR upper(t.name) = \(name))")
        }
    }

    /// Keeps artifacts output by an execution that also read `input`.
    private static func appendOutput(ofExecutionReading input: Int64, to sql: inout SQLBuilder) {
        let outputs = sql.bind(EventType.allCases.filter(\.isOutput).map(\.rawValue), as: "int2[]")
        let read = sql.bind(input, as: "int8")
        let inputs = sql.bind(EventType.allCases.filter(\.isInput).map(\.rawValue), as: "int2[]")
        sql.append("""
             AND EXISTS (SELECT 1 FROM events o JOIN events i ON i.execution_id = o.execution_id
                WHERE o.artifact_id = n.id AND o.type = ANY(\(outputs)) AND i.artifact_id = \(read) AND i.type = ANY(\(inputs)))
            """)
    }
}

/// The node reads of a provenance or impact report by base type: the starting artifact, the related artifacts,
/// the neighbouring executions and their contexts.
enum ArtifactLineageNodes: SQLShape {
    static let name = "artifact_lineage_nodes"
    static let sql = NodeBatchSQL.query(template, namespaceID: NamespaceID(0)).text

    static let template: [NodeBatchPart] = [
        .artifacts([]), .artifacts([], selection: .baseType("")), .executions([]), .contexts(ofArtifacts: [], executions: []),
    ]
}

/// The node reads of a lineage subgraph: its artifacts, its executions and their contexts.
enum SubgraphNodes: SQLShape {
    static let name = "subgraph_nodes"
    static let sql = NodeBatchSQL.query(template, namespaceID: NamespaceID(0)).text

    static let template: [NodeBatchPart] = [.artifacts([]), .executions([]), .contexts(ofArtifacts: [], executions: [])]
}

extension PostgresStore {
    /// The nodes of each part, in one round trip: those read by id in the order of their ids (missing ones
    /// skipped), contexts in id order. Runs as the prepared statement of `shape` when the parts have its form.
    func nodes<Shape: SQLShape>(_ parts: [NodeBatchPart], shape: Shape.Type, namespaceID: NamespaceID)
        async throws(ProvenanceError) -> [[Node]]
    {
        let kinds = parts.map(\.kind)
        let rows = try await rows(NodeBatchSQL.query(parts, namespaceID: namespaceID), shape: shape) { row in
            let position = Int(try PostgresRandomAccessRow(row)[0].decode(Int16.self))
            return (position, try NodeRow.decode(row, kind: kinds[position], firstColumn: 1))
        }
        var found = Array(repeating: [Int64: Node](), count: parts.count)
        for (position, node) in rows { found[position][node.id] = node }
        return parts.enumerated().map { position, part in
            switch part {
            case .artifacts(let ids, _, _), .executions(let ids): ids.compactMap { found[position][$0] }
            case .contexts: found[position].values.sorted { $0.id < $1.id }
            }
        }
    }
}
