import ProvenanceCore

/// The single SQL statement that performs a `LineageWrite`.
///
/// A composite write is one statement of data-modifying CTEs rather than a transaction of many statements: it is
/// atomic by itself, takes one round trip, and is prepared once per connection. Checks that must abort the write
/// (a missing node, a stale revision) call `provenance_fail`, which raises an error and so rolls back everything
/// the statement did.
///
/// Parameters: $1 namespace id; $2, $3, $4 the artifact, execution and context rows as JSON arrays; $5 the events;
/// $6/$7 attribution (context, artifact) ordinals; $8/$9 association (context, execution) ordinals; $10 reuse
/// contexts by type and name; $11 reuse artifacts by external id.
///
/// Two variants exist. The general one also updates and checks nodes the write names by id; the other leaves
/// those CTEs out, because PostgreSQL initializes every node of a plan on each execution, and the UPDATEs (which
/// open every index of their tables) cost more than the rest of a small all-new write.
enum LineageWriteSQL {
    /// The statement for writes that name existing nodes by id.
    static let general = text(referencingExisting: true)
    /// The statement for writes of new (or reused-by-key) nodes only.
    static let newNodesOnly = text(referencingExisting: false)

    private static func text(referencingExisting: Bool) -> String {
        let nodeParts = NodeKind.allCases.enumerated().map { offset, kind in
            nodeCTEs(kind, parameter: offset + 2, referencingExisting: referencingExisting)
        }
        let checks = referencingExisting
            ? NodeKind.allCases.map { "(SELECT count(*) FROM \(NodeTable.prefix($0))_check)" } : ["0::int8"]
        return """
            WITH
            \(nodeParts.joined(separator: ",\n")),
            ev_in AS (
                SELECT * FROM jsonb_to_recordset($5::text::jsonb)
                    AS t(a int, x int, type int2, path jsonb, ms int8)
            ),
            ev_inserted AS (
                INSERT INTO events (artifact_id, execution_id, type, path, time)
                SELECT a.node_id, x.node_id, v.type, coalesce(v.path, '[]'),
                       coalesce('epoch'::timestamptz + v.ms * interval '1 millisecond', now())
                FROM ev_in v JOIN a_ids a ON a.ord = v.a JOIN x_ids x ON x.ord = v.x
            ),
            attr_inserted AS (
                INSERT INTO attributions (context_id, artifact_id)
                SELECT c.node_id, a.node_id FROM unnest($6::int4[], $7::int4[]) AS l(c, n)
                    JOIN c_ids c ON c.ord = l.c JOIN a_ids a ON a.ord = l.n
                ON CONFLICT DO NOTHING
            ),
            assoc_inserted AS (
                INSERT INTO associations (context_id, execution_id)
                SELECT c.node_id, x.node_id FROM unnest($8::int4[], $9::int4[]) AS l(c, n)
                    JOIN c_ids c ON c.ord = l.c JOIN x_ids x ON x.ord = l.n
                ON CONFLICT DO NOTHING
            )
            SELECT ARRAY(SELECT node_id FROM a_ids ORDER BY ord),
                   ARRAY(SELECT node_id FROM x_ids ORDER BY ord),
                   ARRAY(SELECT node_id FROM c_ids ORDER BY ord),
                   \(checks.joined(separator: " + "))
            """
    }

    /// The CTEs that reuse, insert, update and check the nodes of one kind. `<p>_ids` carries every row of the
    /// request with its id (given, reused by key, or new from the sequence, in request order) and whether it is
    /// new; the rest of the statement joins nodes through it by `ord`.
    private static func nodeCTEs(_ kind: NodeKind, parameter: Int, referencingExisting: Bool) -> String {
        let p = NodeTable.prefix(kind)
        let table = NodeTable.name(kind)
        let reuse: String
        switch kind {
        case .artifact:
            reuse = "x.namespace_id = $1 AND x.external_id = i.external_id AND $11::bool"
        case .context:
            reuse = "x.type_id = i.type_id AND x.name = i.name AND $10::bool"
        case .execution:
            reuse = "false"
        }
        let updateColumns = referencingExisting ? """
            , id int8, set_name bool, set_external_id bool, set_uri bool, set_state bool, replace_properties bool,
                    remove_properties text[], replace_custom bool, remove_custom text[], expected_revision int8,
                    changes bool
            """ : ""
        let given = referencingExisting ? "i.id" : "NULL::int8"
        let nodes = """
            \(p)_ids AS (
                SELECT i.*, coalesce(\(given), r.id, nextval('\(NodeTable.sequence(kind))')) AS node_id,
                       \(given) IS NULL AND r.id IS NULL AS is_new
                FROM jsonb_to_recordset($\(parameter)::text::jsonb) AS i(
                    ord int, type_id int8, name text, external_id text, uri text, state int2, properties jsonb,
                    custom_properties jsonb\(updateColumns))
                LEFT JOIN LATERAL (
                    SELECT x.id FROM \(table) x WHERE \(given) IS NULL AND \(reuse) LIMIT 1
                ) r ON true
                ORDER BY i.ord
            ),
            \(p)_inserted AS (
                INSERT INTO \(table) (id, namespace_id, type_id, name, external_id, uri, state, properties,
                                      custom_properties)
                SELECT node_id, $1, type_id, name, external_id, uri, state, coalesce(properties, '{}'),
                       coalesce(custom_properties, '{}')
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
                    properties = CASE WHEN u.replace_properties THEN coalesce(u.properties, '{}')
                        ELSE (x.properties - coalesce(u.remove_properties, '{}')) || coalesce(u.properties, '{}') END,
                    custom_properties = CASE WHEN u.replace_custom THEN coalesce(u.custom_properties, '{}')
                        ELSE (x.custom_properties - coalesce(u.remove_custom, '{}'))
                             || coalesce(u.custom_properties, '{}') END,
                    update_time = now(),
                    revision = x.revision + 1
                FROM \(p)_ids u
                WHERE x.id = u.id AND u.changes AND x.namespace_id = $1
                    AND (u.expected_revision IS NULL OR x.revision = u.expected_revision)
                RETURNING x.id
            ),
            \(p)_check AS (
                SELECT provenance_fail(
                    CASE WHEN x.id IS NULL THEN 'PV404' ELSE 'PV412' END,
                    CASE WHEN x.id IS NULL THEN '\(kind.rawValue) ' || i.id || ' not found'
                         ELSE '\(kind.rawValue) ' || i.id || ' was modified: its revision is no longer '
                              || i.expected_revision END)
                FROM \(p)_ids i LEFT JOIN \(table) x ON x.id = i.id AND x.namespace_id = $1
                WHERE i.id IS NOT NULL
                    AND (x.id IS NULL OR (i.changes AND NOT EXISTS (SELECT 1 FROM \(p)_updated d WHERE d.id = i.id)))
            )
            """
        return nodes + ",\n" + existing
    }
}
