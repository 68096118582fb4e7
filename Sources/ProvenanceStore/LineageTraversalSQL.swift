import ProvenanceCore

/// The one statement that walks the lineage graph for a `LineageQuery`.
///
/// A recursive CTE advances one hop per iteration, breadth first. Each iteration is one row holding the level's
/// new artifacts and executions as arrays (with the neighbour each was reached through and whether it matched an
/// ending filter) and every node seen so far; the next level joins events to the level's expandable nodes through
/// the event indexes and keeps only unseen nodes. So each node is visited once, at its shortest distance, and
/// cycles, diamonds and shared datasets cost nothing extra. Each level takes at most `nodeLimit + 1` new nodes of a
/// kind and the walk stops once the limit is passed, so a cap bounds the work as well as the answer.
///
/// Rows (`steps`): hops, is-artifact, id, via (the neighbour's id), is-ending; nearest first, at most
/// `nodeLimit + 1` (one more than the cap means the walk was truncated).
enum LineageTraversalSQL {
    /// Appends `WITH RECURSIVE walk AS (...), steps AS (...), kept AS (...)`: `steps(hops, is_artifact, id, via,
    /// stop)` holds the nodes the walk reached, nearest first, at most `nodeLimit + 1` of them (one more than the
    /// cap means the walk was truncated); `kept` the first `nodeLimit`, the answer. A statement can go on to read
    /// them (`NodeBatchSQL.walkAndNodes`: the walk and what a report needs of its nodes and events, in one round trip).
    static func appendSteps(_ query: LineageQuery, namespaceID: NamespaceID, to sql: inout SQLBuilder) {
        let namespace = sql.bind(namespaceID.rawValue, as: "int8")
        let cap = sql.bind(Int64(query.nodeLimit), as: "int8")
        let maxHops = sql.bind(Int64(query.maxHops), as: "int8")
        let (artifactToExecution, executionToArtifact) = eventTypes(query.direction)
        let toExecution = typeCondition(artifactToExecution)
        let toArtifact = typeCondition(executionToArtifact)
        sql.append("WITH RECURSIVE walk AS (\n    SELECT 0::int8 AS hops, s.a AS a_ids, NULL::int8[] AS a_via, NULL::bool[] AS a_end, s.a AS a_next,\n")
        sql.append("        s.x AS x_ids, NULL::int8[] AS x_via, NULL::bool[] AS x_end, s.x AS x_next, s.a AS seen_a, s.x AS seen_x,\n")
        sql.append("        cardinality(s.a) + cardinality(s.x) AS total\n    FROM (SELECT ")
        start(query.startingArtifacts, kind: .artifact, namespace: namespace, cap: cap, into: &sql)
        sql.append(" AS a, ")
        start(query.startingExecutions, kind: .execution, namespace: namespace, cap: cap, into: &sql)
        // OFFSET 0 keeps the planner from folding `s` into its uses: each starting array is read once, not four times.
        sql.append(" AS x OFFSET 0) s\n  UNION ALL\n")
        sql.append("""
                SELECT w.hops + 1, na.ids, na.via, na.ends, na.next, nx.ids, nx.via, nx.ends, nx.next,
                    w.seen_a || na.ids, w.seen_x || nx.ids, w.total + cardinality(na.ids) + cardinality(nx.ids)
                FROM walk w

            """)
        step(to: .artifact, types: toArtifact, ending: query.endingArtifacts, cap: cap, into: &sql)
        step(to: .execution, types: toExecution, ending: query.endingExecutions, cap: cap, into: &sql)
        sql.append("""
                WHERE w.hops < \(maxHops) AND w.total <= \(cap) AND cardinality(w.a_next) + cardinality(w.x_next) > 0
            ),
            steps AS (
                SELECT * FROM (
                    SELECT w.hops, true AS is_artifact, u.id, u.via, coalesce(u.stop, false) AS stop
                    FROM walk w, unnest(w.a_ids, w.a_via, w.a_end) AS u(id, via, stop)
                    UNION ALL
                    SELECT w.hops, false, u.id, u.via, coalesce(u.stop, false)
                    FROM walk w, unnest(w.x_ids, w.x_via, w.x_end) AS u(id, via, stop)
                ) r
                ORDER BY 1, 2 DESC, 3
                LIMIT \(cap) + 1
            ),
            kept AS (SELECT * FROM steps ORDER BY 1, 2 DESC, 3 LIMIT \(cap))
            """)
    }

    /// The event types followed from an artifact to an execution, and from an execution to an artifact (nil:
    /// every type).
    static func eventTypes(_ direction: LineageDirection) -> ([EventType]?, [EventType]?) {
        let inputs = EventType.allCases.filter(\.isInput)
        let outputs = EventType.allCases.filter(\.isOutput)
        switch direction {
        case .upstream: return (outputs, inputs)
        case .downstream: return (inputs, outputs)
        case .both: return (nil, nil)
        }
    }

    /// The condition on `e.type` keeping events of `types`. The types are written into the text, not bound: they
    /// come from the direction alone, and only a literal list lets the planner use the partial index of output
    /// events (`events_output_idx`), which spares an upstream walk the thousands of reads of a shared dataset.
    static func typeCondition(_ types: [EventType]?) -> String {
        guard let types else { return "true" }
        return "e.type = ANY('{\(types.map { String($0.rawValue) }.joined(separator: ","))}'::int2[])"
    }

    /// The statement reading the ids that the starting filters select (one row: artifact ids, execution ids), or
    /// nil when every start is given by ids. A walk from ids has one text per direction and runs prepared, planned
    /// once; a filter in its text would make every walk a one-off statement, planned each time (milliseconds for
    /// the whole lineage statement, more than the walk itself).
    static func startingIDs(_ query: LineageQuery, namespaceID: NamespaceID) -> SQLBuilder? {
        func isFilter(_ selection: NodeSelection?) -> Bool {
            if case .filter = selection { return true } else { return false }
        }
        guard isFilter(query.startingArtifacts) || isFilter(query.startingExecutions) else { return nil }
        var sql = SQLBuilder()
        let namespace = sql.bind(namespaceID.rawValue, as: "int8")
        let cap = sql.bind(Int64(query.nodeLimit), as: "int8")
        sql.append("SELECT ")
        start(query.startingArtifacts, kind: .artifact, namespace: namespace, cap: cap, into: &sql)
        sql.append(", ")
        start(query.startingExecutions, kind: .execution, namespace: namespace, cap: cap, into: &sql)
        return sql
    }

    /// The starting ids of one kind, as an array expression (only ids of the namespace).
    private static func start(
        _ selection: NodeSelection?, kind: NodeKind, namespace: String, cap: String, into sql: inout SQLBuilder
    ) {
        let table = NodeTable.name(kind)
        switch selection ?? .ids([]) {
        case .ids(let ids):
            let bound = sql.bind(ids, as: "int8[]")
            sql.append("ARRAY(SELECT n.id FROM \(table) n WHERE n.id = ANY(\(bound)) AND \(NodeTable.inNamespace("n", namespace)) ORDER BY n.id)")
        case .filter(let filter):
            sql.append("ARRAY(SELECT n.id FROM \(table) n WHERE n.namespace_id = \(namespace) AND ")
            FilterSQL.append(filter, node: "n", to: &sql)
            sql.append(" ORDER BY n.id LIMIT \(cap) + 1)")
        }
    }

    /// The lateral subquery finding the next level's nodes of `kind` from the other kind's expandable nodes. The
    /// level's arrays are aggregated in one pass, so they stay aligned whatever order the rows come in; the order
    /// itself does not matter (the final rows are sorted), so the aggregates do not sort again. The level is sorted
    /// by `id + 0`, an order no index has: a prepared plan cannot see the cap, and given an index in the right
    /// order it would read the whole events index in order hoping to stop early, on every level, instead of
    /// looking up the frontier's events.
    private static func step(to kind: NodeKind, types: String, ending: Filter?, cap: String, into sql: inout SQLBuilder) {
        let (found, from, alias, seen) =
            kind == .artifact ? ("artifact_id", "execution_id", "na", "seen_a") : ("execution_id", "artifact_id", "nx", "seen_x")
        let frontier = kind == .artifact ? "w.x_next" : "w.a_next"
        sql.append("""
                CROSS JOIN LATERAL (
                    SELECT coalesce(array_agg(f.id), '{}') AS ids, coalesce(array_agg(f.via), '{}') AS via,
                        coalesce(array_agg(f.stop), '{}') AS ends,
                        coalesce(array_agg(f.id) FILTER (WHERE NOT f.stop), '{}') AS next
                    FROM (
                        SELECT DISTINCT ON (e.\(found) + 0) e.\(found) AS id, e.\(from) AS via, 
            """)
        if let ending {
            sql.append("coalesce(")
            FilterSQL.append(ending, node: "n", to: &sql)
            // A LEFT JOIN: a deleted node (its events stay) matches no ending filter, and the walk goes on through it.
            sql.append(", false) AS stop\n            FROM events e LEFT JOIN \(NodeTable.name(kind)) n ON n.id = e.\(found)\n")
        } else {
            sql.append("false AS stop\n            FROM events e\n")
        }
        sql.append("""
                        WHERE e.\(from) = ANY(\(frontier)) AND \(types) AND e.\(found) <> ALL(w.\(seen))
                        ORDER BY e.\(found) + 0, e.\(from)
                        LIMIT \(cap) + 1
                    ) f
                ) \(alias)

            """)
    }
}
