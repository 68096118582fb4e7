import ProvenanceCore

/// The single SQL statement that performs a `LineageWrite`.
///
/// A composite write is one statement of data-modifying CTEs rather than a transaction of many statements: it is
/// atomic by itself, takes one round trip, and is prepared once per connection. Checks that must abort the write
/// (a missing node, a stale revision) call `provenance_fail`, which raises an error and so rolls back everything
/// the statement did.
///
/// Parameters: first the `LineageWriteParameter`s, then the artifact, execution and context rows, each as the arrays
/// of `NodeColumns.statementColumns`, then the events as the arrays of `EventColumns.columns`. Placeholders are
/// made from those names and lists, and `LineageWriteParameters.bindings` binds by the same lists. Rows travel as
/// typed arrays that `unnest` joins back together: nothing is parsed from text but property maps and event paths.
///
/// Two variants exist. The general one also updates and checks nodes the write names by id; the other leaves
/// those CTEs out, because PostgreSQL initializes every node of a plan on each execution, and the UPDATEs (which
/// open every index of their tables) cost more than the rest of a small all-new write.
enum LineageWriteSQL {
    /// The statement for writes that name existing nodes by id.
    static let general = text(referencingExisting: true)
    /// The statement for writes of new (or reused-by-key) nodes only.
    static let newNodesOnly = text(referencingExisting: false)

    /// The number of the first row-column parameter.
    static let firstColumnParameter = LineageWriteParameter.allCases.count + 1

    private static func text(referencingExisting: Bool) -> String {
        typealias P = LineageWriteParameter
        var next = firstColumnParameter
        func unnest(_ columns: [(name: String, type: String)]) -> String {
            let arrays = columns.map { column in
                defer { next += 1 }
                return "$\(next)::\(column.type)[]"
            }
            return "unnest(\(arrays.joined(separator: ", "))) WITH ORDINALITY AS i(\(columns.map(\.name).joined(separator: ", ")), n)"
        }
        let rowColumns = NodeColumns.statementColumns(updates: referencingExisting)
        let nodeParts = NodeKind.allCases.map { kind in
            nodeCTEs(kind, rows: unnest(rowColumns), referencingExisting: referencingExisting)
        }
        let events = unnest(EventColumns.columns.map { ($0.name, $0.type) })
        let checks = referencingExisting
            ? NodeKind.allCases.map { "(SELECT count(*) FROM \(NodeTable.prefix($0))_check)" } : ["0::int8"]
        return """
            WITH
            \(nodeParts.joined(separator: ",\n")),
            ev_inserted AS (
                INSERT INTO events (artifact_id, execution_id, type, path, time)
                SELECT a.node_id, x.node_id, i.type, coalesce(i.path::jsonb, '[]'),
                       coalesce('epoch'::timestamptz + i.ms * interval '1 millisecond', now())
                FROM \(events) JOIN a_ids a ON a.ord = i.a JOIN x_ids x ON x.ord = i.x
            ),
            \(linkInserts(
                "attr", table: "attributions", node: "artifact_id", nodes: "a_ids",
                parameters: (P.attributionContexts.placeholder, P.attributionNodes.placeholder))),
            \(linkInserts(
                "assoc", table: "associations", node: "execution_id", nodes: "x_ids",
                parameters: (P.associationContexts.placeholder, P.associationNodes.placeholder)))
            SELECT ARRAY(SELECT node_id FROM a_ids ORDER BY ord),
                   ARRAY(SELECT node_id FROM x_ids ORDER BY ord),
                   ARRAY(SELECT node_id FROM c_ids ORDER BY ord),
                   \(checks.joined(separator: " + "))
            """
    }

    /// The CTEs that insert the links between contexts and the nodes in `nodes`. A link between two new nodes
    /// cannot exist yet, and appears once (each new node is one row of the request, whose links are distinct), so
    /// it is inserted plainly. A link with a stored end (reused or named by id) may exist already, or come twice
    /// when two rows of the request resolve to the same stored node, so those take the costlier
    /// `ON CONFLICT DO NOTHING`.
    private static func linkInserts(
        _ prefix: String, table: String, node: String, nodes: String, parameters: (contexts: String, nodes: String)
    ) -> String {
        func insert(_ name: String, where condition: String, onConflict: String) -> String {
            """
            \(prefix)_\(name) AS (
                INSERT INTO \(table) (context_id, \(node))
                SELECT c.node_id, n.node_id FROM unnest(\(parameters.contexts)::int4[], \(parameters.nodes)::int4[]) AS l(c, n)
                    JOIN c_ids c ON c.ord = l.c JOIN \(nodes) n ON n.ord = l.n
                WHERE \(condition)\(onConflict)
            )
            """
        }
        return insert("new", where: "c.is_new AND n.is_new", onConflict: "") + ",\n"
            + insert("stored", where: "NOT (c.is_new AND n.is_new)", onConflict: "\n    ON CONFLICT DO NOTHING")
    }

    /// The CTEs that reuse, insert, update and check the nodes of one kind. `<p>_ids` carries every row of the
    /// request with its id (given, reused by key, or new from the sequence, in request order) and whether it is
    /// new; the rest of the statement joins nodes through it by `ord`.
    private static func nodeCTEs(_ kind: NodeKind, rows: String, referencingExisting: Bool) -> String {
        let p = NodeTable.prefix(kind)
        let table = NodeTable.name(kind)
        typealias P = LineageWriteParameter
        let namespace = P.namespaceID.placeholder
        let reuse: String
        switch kind {
        case .artifact:
            reuse = "x.namespace_id = \(namespace) AND x.external_id = i.external_id AND \(P.reuseArtifacts.placeholder)::bool"
        case .context:
            reuse = "x.type_id = i.type_id AND x.name = i.name AND \(P.reuseContexts.placeholder)::bool"
        case .execution:
            reuse = "false"
        }
        let given = referencingExisting ? "i.id" : "NULL::int8"
        let nodes = """
            \(p)_ids AS (
                SELECT i.*, (i.n - 1)::int4 AS ord,
                       coalesce(\(given), r.id, nextval('\(NodeTable.sequence(kind))')) AS node_id,
                       \(given) IS NULL AND r.id IS NULL AS is_new
                FROM \(rows)
                LEFT JOIN LATERAL (
                    SELECT x.id FROM \(table) x WHERE \(given) IS NULL AND \(reuse) LIMIT 1
                ) r ON true
                ORDER BY i.n
            ),
            \(p)_inserted AS (
                INSERT INTO \(table) (id, namespace_id, type_id, name, external_id, uri, state, properties,
                                      custom_properties)
                SELECT node_id, \(namespace), type_id, name, external_id, uri, state, coalesce(properties::jsonb, '{}'),
                       coalesce(custom_properties::jsonb, '{}')
                FROM \(p)_ids WHERE is_new
            )
            """
        guard referencingExisting else { return nodes }
        let existing = """
            \(p)_updated AS (
                UPDATE \(table) x SET
                    name = CASE WHEN u.set_name THEN u.name ELSE x.name END,
                    external_id = CASE WHEN u.set_external_id THEN u.external_id ELSE x.external_id END,
                    uri = CASE WHEN u.set_uri THEN u.uri ELSE x.uri END,
                    state = CASE WHEN u.set_state THEN u.state ELSE x.state END,
                    properties = CASE WHEN u.replace_properties THEN coalesce(u.properties::jsonb, '{}')
                        ELSE (x.properties - \(textArray("u.remove_properties"))) || coalesce(u.properties::jsonb, '{}') END,
                    custom_properties = CASE WHEN u.replace_custom THEN coalesce(u.custom_properties::jsonb, '{}')
                        ELSE (x.custom_properties - \(textArray("u.remove_custom")))
                             || coalesce(u.custom_properties::jsonb, '{}') END,
                    update_time = now(),
                    revision = x.revision + 1
                FROM \(p)_ids u
                WHERE x.id = u.id AND u.changes AND x.namespace_id = \(namespace)
                    AND (u.expected_revision IS NULL OR x.revision = u.expected_revision)
                    AND (u.expected_update_time IS NULL
                         OR \(NodeTable.millisecondsSinceEpoch("x.update_time")) = u.expected_update_time)
                RETURNING x.id
            ),
            \(p)_check AS (
                SELECT provenance_fail(
                    CASE WHEN x.id IS NULL THEN 'PV404' ELSE 'PV412' END,
                    CASE WHEN x.id IS NULL THEN '\(kind.rawValue) ' || i.id || ' not found'
                         WHEN i.expected_revision IS NOT NULL AND x.revision <> i.expected_revision
                         THEN '\(kind.rawValue) ' || i.id || ' was modified: its revision is no longer '
                              || i.expected_revision
                         ELSE '\(kind.rawValue) ' || i.id || ' was updated since '
                              || i.expected_update_time || ' (last_update_time_since_epoch is now '
                              || \(NodeTable.millisecondsSinceEpoch("x.update_time")) || ')' END)
                FROM \(p)_ids i LEFT JOIN \(table) x ON x.id = i.id AND x.namespace_id = \(namespace)
                WHERE i.id IS NOT NULL
                    AND (x.id IS NULL OR (i.changes AND NOT EXISTS (SELECT 1 FROM \(p)_updated d WHERE d.id = i.id)))
            )
            """
        return nodes + ",\n" + existing
    }

    /// The text[] of the strings in a JSON array held as text in `column` (empty when NULL).
    private static func textArray(_ column: String) -> String {
        "ARRAY(SELECT jsonb_array_elements_text(coalesce(\(column), '[]')::jsonb))"
    }
}

/// The composite write's first parameters, by name. Their placeholders are `$1`, `$2`, ... in this order, and
/// `LineageWriteParameters.bindings` binds them by walking this list, so a placeholder and its value cannot drift.
enum LineageWriteParameter: Int, CaseIterable {
    case namespaceID = 1
    /// Reuse contexts by type and name.
    case reuseContexts
    /// Reuse artifacts by external id.
    case reuseArtifacts
    /// The context ordinals of the attributions.
    case attributionContexts
    /// The artifact ordinals of the attributions.
    case attributionNodes
    /// The context ordinals of the associations.
    case associationContexts
    /// The execution ordinals of the associations.
    case associationNodes

    /// `$n`.
    var placeholder: String { "$\(rawValue)" }
}
