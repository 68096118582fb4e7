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
    /// The contexts of the statement's context links (see `ContextLinkRows`).
    case linkedContexts

    var kind: NodeKind {
        switch self {
        case .artifacts: .artifact
        case .executions: .execution
        case .contexts, .linkedContexts: .context
        }
    }
}

/// What a part of a batched read is for; its raw value tags the part's rows, so each node comes back to its role,
/// never to a position.
enum NodeBatchRole: Int16, Sendable, CaseIterable {
    /// The nodes a request named (the artifact a report is about, and the one it reads).
    case requested = 0
    /// The walked artifacts a report selects.
    case related
    /// Walked artifacts.
    case artifacts
    /// Walked executions.
    case executions
    /// Contexts of the walked nodes.
    case contexts
}

/// The context links a batched read returns with its nodes: the attributions and associations of `nodes`, and the
/// parent links among their contexts, each kind only when asked for. The kinds are bound values, so the statement
/// has one text (and one prepared form) whichever are asked for.
struct ContextLinkRows: Sendable {
    var nodes: NodeIDs
    var attributions = true
    var associations = true
    var parents = true
}

/// Reads a lineage walk and several sets of nodes, of any kinds, in one statement: the walk's steps and a `UNION
/// ALL` of one branch per part, each row tagged with its part's role. A lineage report needs the walk, its
/// starting node, the related nodes, the neighbouring executions and their contexts; each used to be a round trip
/// of its own.
enum NodeBatchSQL {
    /// A walk, the nodes of `parts` (which may name walked nodes), with `eventsBetween` the events joining the
    /// artifacts and executions those ids name, and with `links` their context links, in one statement.
    ///
    /// Each row starts with a tag: the role of a node's part, or `stepRow`, `eventRow`, `linkRow`. Node rows go on with
    /// the node columns (`NodeTable.selectColumns`). The walk, the events and the links come as one row each, of
    /// four parallel arrays after the node columns (`firstArrayColumn`), and a JSON text: a row per element would
    /// cost the database and the decoder far more than the values. Columns `(a int8[], b int8[], c int8[], d int2[],
    /// e text)`:
    /// - steps: ids, via (0 for a starting node), hops, flags (`artifactFlag`, `endingFlag`);
    /// - events: artifact ids, execution ids, times in milliseconds, types, a JSON array of their paths;
    /// - links: artifacts, executions or child contexts; their contexts or parents; -; the link's kind
    ///   (`attributionRow`, `associationRow`, `parentRow`).
    /// What a row is not is NULL, and an empty set's arrays are NULL.
    ///
    /// `readingNodes` and `readingEvents` switch the parts and the events off without changing the text (they are
    /// bound values), so requests that want less still run the same prepared statement.
    static func walkAndNodes(
        _ query: LineageQuery, _ parts: [NodeBatchRole: NodeBatchPart], eventsBetween: NodeIDs? = nil,
        links: ContextLinkRows? = nil,
        readingNodes: Bool = true, readingEvents: Bool = true, namespaceID: NamespaceID
    ) -> SQLBuilder {
        var sql = SQLBuilder()
        LineageTraversalSQL.appendSteps(query, namespaceID: namespaceID, to: &sql)
        if let links { appendLinks(of: links.nodes, to: &sql) }
        let noNode = NodeTable.nullColumns
        sql.append("""
            SELECT \(stepRow)::int2, \(noNode), array_agg(s.id), array_agg(coalesce(s.via, 0)), array_agg(s.hops),
                array_agg((CASE WHEN s.is_artifact THEN \(artifactFlag) ELSE 0 END + CASE WHEN s.stop THEN \(endingFlag) ELSE 0 END)::int2),
                NULL::text
            FROM steps s

            """)
        if let links {
            let (attributions, associations, parents) = (
                sql.bind(links.attributions, as: "bool"), sql.bind(links.associations, as: "bool"), sql.bind(links.parents, as: "bool")
            )
            let linked = "ANY(ARRAY(SELECT context_id FROM links))"
            sql.append("""
                UNION ALL
                SELECT \(linkRow)::int2, \(noNode), array_agg(k.node_id), array_agg(k.context_id), NULL::int8[], array_agg(k.row), NULL::text
                FROM (
                    SELECT l.row, l.node_id, l.context_id FROM links l
                    WHERE (\(attributions) OR \(associations))
                        AND ((l.row = \(attributionRow) AND \(attributions)) OR (l.row = \(associationRow) AND \(associations)))
                    UNION ALL
                    SELECT \(parentRow)::int2, p.child_id, p.parent_id FROM parent_contexts p
                    WHERE \(parents) AND p.child_id = \(linked) AND p.parent_id = \(linked)
                ) k

                """)
        }
        if let eventsBetween {
            let (artifacts, executions) = (idArray(eventsBetween, kind: .artifact, &sql), idArray(eventsBetween, kind: .execution, &sql))
            let reading = sql.bind(readingEvents, as: "bool")
            sql.append("""
                UNION ALL
                SELECT \(eventRow)::int2, \(noNode), array_agg(e.artifact_id), array_agg(e.execution_id),
                    array_agg(\(EventRow.millisecondsColumn)), array_agg(e.type), jsonb_agg(e.path)::text
                FROM unnest(\(executions)) AS x(id) JOIN events e ON e.execution_id = x.id
                WHERE \(reading) AND e.artifact_id = ANY(\(artifacts))

                """)
        }
        if !parts.isEmpty {
            sql.append("UNION ALL\n")
            append(parts, namespace: sql.bind(namespaceID.rawValue, as: "int8"), reading: sql.bind(readingNodes, as: "bool"), to: &sql)
        }
        return sql
    }

    /// The tags of `walkAndNodes` rows that are not nodes, and the kinds of links.
    static let stepRow = -1, eventRow = -2, linkRow = -3, attributionRow = -4, associationRow = -5, parentRow = -6
    /// The flags of a step: an artifact (else an execution), an ending node.
    static let artifactFlag: Int16 = 2, endingFlag: Int16 = 1
    /// Where the arrays of a `walkAndNodes` row start.
    static let firstArrayColumn = 13

    /// Appends the `links` CTE: (row, context_id, node_id) for each attribution and association of the nodes.
    private static func appendLinks(of nodes: NodeIDs, to sql: inout SQLBuilder) {
        let (artifacts, executions) = (idArray(nodes, kind: .artifact, &sql), idArray(nodes, kind: .execution, &sql))
        sql.append("""
            ,
            links AS (
                SELECT \(attributionRow)::int2 AS row, l.context_id, l.artifact_id AS node_id
                FROM unnest(\(artifacts)) AS s(id) JOIN attributions l ON l.artifact_id = s.id
                UNION ALL
                SELECT \(associationRow)::int2, l.context_id, l.execution_id
                FROM unnest(\(executions)) AS s(id) JOIN associations l ON l.execution_id = s.id
            )

            """)
    }

    private static func append(
        _ parts: [NodeBatchRole: NodeBatchPart], namespace: String, reading: String, to sql: inout SQLBuilder
    ) {
        // In the order of the roles, so one set of parts always makes one text.
        for (offset, (role, part)) in parts.sorted(by: { $0.key.rawValue < $1.key.rawValue }).enumerated() {
            if offset > 0 { sql.append("\nUNION ALL\n") }
            sql.append("""
                SELECT \(role.rawValue)::int2, \(NodeTable.selectColumns("n")), NULL::int8[], NULL::int8[], NULL::int8[], NULL::int2[], NULL::text
                FROM \(NodeTable.name(part.kind)) n JOIN types t ON t.id = n.type_id
                WHERE \(reading) AND \(NodeTable.inNamespace("n", namespace)) AND 
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
            case .linkedContexts:
                sql.append("n.id = ANY(ARRAY(SELECT context_id FROM links))")
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
