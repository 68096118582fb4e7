import ProvenanceCore

/// The fixed SQL names for each node kind. These are the only identifiers ever spliced into SQL text, and they
/// come from this closed set, never from a request.
enum NodeTable {
    /// The table holding nodes of `kind`.
    static func name(_ kind: NodeKind) -> String { kind.plural }

    /// The sequence issuing ids for `kind`.
    static func sequence(_ kind: NodeKind) -> String { "\(kind.rawValue)_ids" }

    /// A short alias prefix for CTEs of `kind` in composite statements.
    static func prefix(_ kind: NodeKind) -> String {
        switch kind {
        case .artifact: "a"
        case .execution: "x"
        case .context: "c"
        }
    }

    /// The stored `types.kind` value.
    static func typeKind(_ kind: NodeKind) -> Int16 {
        switch kind {
        case .artifact: 0
        case .execution: 1
        case .context: 2
        }
    }

    /// The kind of a stored `types.kind` value.
    static func kind(ofTypeKind value: Int16) -> NodeKind {
        switch value {
        case 0: .artifact
        case 1: .execution
        default: .context
        }
    }

    /// A timestamp column as the milliseconds since the epoch that MLMD shows, truncated exactly as a node's
    /// microseconds are when the gRPC service divides them.
    static func millisecondsSinceEpoch(_ column: String) -> String {
        "((extract(epoch FROM \(column)) * 1000000)::int8 / 1000)"
    }

    /// The columns selected for a node, decoded by `NodeRow`; `alias` is the table's alias in the query.
    static func selectColumns(_ alias: String) -> String {
        """
        \(alias).id, \(alias).type_id, t.name, \(alias).name, \(alias).external_id, \(alias).uri, \(alias).state, \
        \(alias).properties::text, \(alias).custom_properties::text, \
        (extract(epoch FROM \(alias).create_time) * 1000000)::int8, \
        (extract(epoch FROM \(alias).update_time) * 1000000)::int8, \(alias).revision
        """
    }

    /// The condition keeping nodes of `alias` that are in `namespace`, for statements that find nodes by id. It is
    /// written so that no index can serve it: the planner must look the ids up in the primary key. A generic plan
    /// (prepared statements) cannot tell how many nodes a namespace holds, and with the namespace condition open to
    /// an index it would scan a whole namespace to pick out a handful of ids.
    static func inNamespace(_ alias: String, _ namespace: String) -> String {
        "\(alias).namespace_id + 0 = \(namespace)"
    }

    /// NULLs of the types of `selectColumns`, for rows of a union that are not nodes.
    static let nullColumns =
        "NULL::int8, NULL::int8, NULL::text, NULL::text, NULL::text, NULL::text, NULL::int2, NULL::text, NULL::text, NULL::int8, NULL::int8, NULL::int8"
}
