import PostgresNIO
import ProvenanceCore

/// The ids of one set of nodes in a batched read: given, or taken from the `steps` of a walk in the same statement.
enum NodeIDs: Sendable {
    case ids([Int64])
    /// The walked nodes of the part's kind within the node cap, optionally only those `hops` away, never
    /// `excluding`, and (without `endingNodes`) none that matched an ending filter.
    case walked(hops: Int? = nil, excluding: Int64? = nil, endingNodes: Bool = true)

    static let none = NodeIDs.ids([])
}

/// One set of nodes in a batched read.
enum NodeBatchPart: Sendable {
    /// Artifacts, kept only if `selection` picks them and (with `outputOfExecutionReading`) an execution that read
    /// that artifact output them.
    case artifacts(NodeIDs, selection: ArtifactSelection? = nil, outputOfExecutionReading: Int64? = nil)
    case executions(NodeIDs)
    /// The contexts the artifacts are attributed to or the executions associated with.
    case contexts(ofArtifacts: NodeIDs, executions: NodeIDs)

    var kind: NodeKind {
        switch self {
        case .artifacts: .artifact
        case .executions: .execution
        case .contexts: .context
        }
    }
}

/// Reads a lineage walk and several sets of nodes, of any kinds, in one statement: the walk's steps and a `UNION
/// ALL` of one branch per part, each row tagged with its part's position. A lineage report needs the walk, its
/// starting node, the related nodes, the neighbouring executions and their contexts; each used to be a round trip
/// of its own.
enum NodeBatchSQL {
    /// A walk, the nodes of `parts` (which may name walked nodes) and (with `eventsBetween`) the events joining the
    /// artifacts and executions those ids name, in one statement. Rows: a position (`stepRow` for a step of the
    /// walk, `eventRow` for an event, else the node's part), the step's hops, is-artifact, via and is-ending, then
    /// the node columns (for a step, only its id), then the event columns; what a row is not is NULL.
    static func walkAndNodes(
        _ query: LineageQuery, _ parts: [NodeBatchPart], eventsBetween: NodeIDs? = nil, namespaceID: NamespaceID
    ) -> SQLBuilder {
        var sql = SQLBuilder()
        LineageTraversalSQL.appendSteps(query, namespaceID: namespaceID, to: &sql)
        let noStep = "NULL::int8, NULL::bool, NULL::int8, NULL::bool"
        sql.append("""
            SELECT \(stepRow)::int2, s.hops, s.is_artifact, s.via, s.stop, s.id, \(NodeTable.nullColumnsAfterID), \(EventRow.nullColumns)
            FROM steps s

            """)
        if let eventsBetween {
            let (artifacts, executions) = (idArray(eventsBetween, kind: .artifact, &sql), idArray(eventsBetween, kind: .execution, &sql))
            sql.append("""
                UNION ALL
                SELECT \(eventRow)::int2, \(noStep), NULL::int8, \(NodeTable.nullColumnsAfterID), \(EventRow.selectColumns)
                FROM unnest(\(executions)) AS x(id) JOIN events e ON e.execution_id = x.id
                WHERE e.artifact_id = ANY(\(artifacts))

                """)
        }
        if !parts.isEmpty {
            sql.append("UNION ALL\n")
            append(parts, namespace: sql.bind(namespaceID.rawValue, as: "int8"),
                   leadingColumns: noStep + ", ", trailingColumns: ", " + EventRow.nullColumns, to: &sql)
        }
        return sql
    }

    /// The positions of `walkAndNodes` rows that are not nodes.
    static let stepRow = -1, eventRow = -2
    /// The columns of `walkAndNodes` before the node columns, and where the event columns start.
    static let firstNodeColumn = 5, firstEventColumn = 17

    private static func append(
        _ parts: [NodeBatchPart], namespace: String, leadingColumns: String, trailingColumns: String, to sql: inout SQLBuilder
    ) {
        for (position, part) in parts.enumerated() {
            if position > 0 { sql.append("\nUNION ALL\n") }
            sql.append("""
                SELECT \(position)::int2, \(leadingColumns)\(NodeTable.selectColumns("n"))\(trailingColumns)
                FROM \(NodeTable.name(part.kind)) n JOIN types t ON t.id = n.type_id
                WHERE n.namespace_id = \(namespace) AND 
                """)
            switch part {
            case .artifacts(let ids, let selection, let reading):
                sql.append("n.id = ANY(\(idArray(ids, kind: .artifact, &sql)))")
                if let selection { appendSelection(selection, to: &sql) }
                if let reading { appendOutput(ofExecutionReading: reading, to: &sql) }
            case .executions(let ids):
                sql.append("n.id = ANY(\(idArray(ids, kind: .execution, &sql)))")
            case .contexts(let artifacts, let executions):
                let (artifactIDs, executionIDs) = (idArray(artifacts, kind: .artifact, &sql), idArray(executions, kind: .execution, &sql))
                sql.append("""
                    n.id = ANY(ARRAY(
                        SELECT l.context_id FROM unnest(\(artifactIDs)) AS s(id) JOIN attributions l ON l.artifact_id = s.id
                        UNION SELECT l.context_id FROM unnest(\(executionIDs)) AS s(id) JOIN associations l ON l.execution_id = s.id))
                    """)
            }
        }
    }

    /// An int8[] expression of the ids: a bound array, or the walked nodes of `kind` read from `steps`.
    private static func idArray(_ ids: NodeIDs, kind: NodeKind, _ sql: inout SQLBuilder) -> String {
        switch ids {
        case .ids(let ids):
            return sql.bind(ids, as: "int8[]")
        case .walked(let hops, let excluding, let endingNodes):
            var condition = kind == .artifact ? "is_artifact" : "NOT is_artifact"
            if let hops { condition += " AND hops = \(sql.bind(Int64(hops), as: "int8"))" }
            if let excluding { condition += " AND id <> \(sql.bind(excluding, as: "int8"))" }
            if !endingNodes { condition += " AND NOT stop" }
            return "ARRAY(SELECT id FROM kept WHERE \(condition))"
        }
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
