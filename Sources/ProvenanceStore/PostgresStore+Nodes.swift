import Foundation
import PostgresNIO
import ProvenanceCore

/// Conditions on a node listing besides the namespace.
public struct NodeListFilter: Sendable, Equatable {
    /// Only nodes of this type.
    public var typeID: TypeID?
    /// Only nodes with this name.
    public var name: String?
    /// Only the node with this external id.
    public var externalID: String?
    /// Only artifacts with this URI.
    public var uri: String?
    /// Only nodes linked to another node this way.
    public var relation: NodeRelation?

    /// Creates a filter; the default matches everything.
    public init(
        typeID: TypeID? = nil, name: String? = nil, externalID: String? = nil, uri: String? = nil,
        relation: NodeRelation? = nil
    ) {
        self.typeID = typeID
        self.name = name
        self.externalID = externalID
        self.uri = uri
        self.relation = relation
    }

    /// A stable description of the filter, binding page tokens to the query that issued them.
    public var fingerprint: String {
        let relationText = relation.map { "\($0)" } ?? "-"
        return "t=\(typeID?.rawValue ?? -1)|n=\(name ?? "\u{0}")|e=\(externalID ?? "\u{0}")|u=\(uri ?? "\u{0}")|r=\(relationText)"
    }
}

/// A link a listed node must have: the reads of attributions, associations and parent contexts from both sides.
public enum NodeRelation: Sendable, Equatable {
    /// Artifacts attributed to the context.
    case artifactsOfContext(ContextID)
    /// Executions associated with the context.
    case executionsOfContext(ContextID)
    /// Contexts the artifact is attributed to.
    case contextsOfArtifact(ArtifactID)
    /// Contexts the execution is associated with.
    case contextsOfExecution(ExecutionID)
    /// Parent contexts of the context.
    case parentsOfContext(ContextID)
    /// Child contexts of the context.
    case childrenOfContext(ContextID)

    /// The kind of node this relation lists.
    public var listedKind: NodeKind {
        switch self {
        case .artifactsOfContext: .artifact
        case .executionsOfContext: .execution
        default: .context
        }
    }

    /// The kind and id of the node at the other end.
    public var anchor: (kind: NodeKind, id: Int64) {
        switch self {
        case .artifactsOfContext(let id), .executionsOfContext(let id), .parentsOfContext(let id),
            .childrenOfContext(let id):
            (.context, id.rawValue)
        case .contextsOfArtifact(let id): (.artifact, id.rawValue)
        case .contextsOfExecution(let id): (.execution, id.rawValue)
        }
    }

    /// The EXISTS condition, with the anchor id as the one placeholder `$ID`.
    var condition: String {
        switch self {
        case .artifactsOfContext: "EXISTS (SELECT 1 FROM attributions r WHERE r.artifact_id = n.id AND r.context_id = $ID)"
        case .executionsOfContext: "EXISTS (SELECT 1 FROM associations r WHERE r.execution_id = n.id AND r.context_id = $ID)"
        case .contextsOfArtifact: "EXISTS (SELECT 1 FROM attributions r WHERE r.context_id = n.id AND r.artifact_id = $ID)"
        case .contextsOfExecution: "EXISTS (SELECT 1 FROM associations r WHERE r.context_id = n.id AND r.execution_id = $ID)"
        case .parentsOfContext: "EXISTS (SELECT 1 FROM parent_contexts r WHERE r.parent_id = n.id AND r.child_id = $ID)"
        case .childrenOfContext: "EXISTS (SELECT 1 FROM parent_contexts r WHERE r.child_id = n.id AND r.parent_id = $ID)"
        }
    }
}

extension PostgresStore {
    /// The node of `kind` with `id` in `namespace`, or `notFound`.
    public func node(_ kind: NodeKind, id: Int64, namespace: String) async throws(ProvenanceError) -> Node {
        let namespaceID = try await namespaceID(namespace)
        guard let node = try await nodes(kind, ids: [id], namespaceID: namespaceID).first else {
            throw .notFound("\(kind.rawValue) \(id) not found")
        }
        return node
    }

    /// Nodes of `kind` with the given ids in the namespace, in the order of `ids`, skipping missing ones.
    func nodes(_ kind: NodeKind, ids: [Int64], namespaceID: NamespaceID) async throws(ProvenanceError) -> [Node] {
        guard !ids.isEmpty else { return [] }
        let found: [Int64: Node] = try await perform { [self] connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: NodeTable.selectColumns("n")) FROM \(unescaped: NodeTable.name(kind)) n
                JOIN types t ON t.id = n.type_id
                WHERE n.id = ANY(\(ids)) AND n.namespace_id = \(namespaceID.rawValue)
                """, logger: logger)
            var result: [Int64: Node] = [:]
            for try await row in rows {
                let node = try NodeRow.decode(row, kind: kind)
                result[node.id] = node
            }
            return result
        }
        return ids.compactMap { found[$0] }
    }

    /// One page of nodes of `kind` in `namespace`, keyset-paginated on (order field, id).
    public func listNodes(_ kind: NodeKind, namespace: String, filter: NodeListFilter, page: PageRequest)
        async throws(ProvenanceError) -> Page<Node>
    {
        let namespaceID = try await namespaceID(namespace)
        if let anchor = filter.relation?.anchor {
            guard try await nodes(anchor.kind, ids: [anchor.id], namespaceID: namespaceID).count == 1 else {
                throw .notFound("\(anchor.kind.rawValue) \(anchor.id) not found")
            }
        }
        let query = Self.listQuery(kind, namespaceID: namespaceID, filter: filter, page: page)
        let nodes: [Node] = try await perform { [self] connection in
            var result: [Node] = []
            for try await row in try await connection.query(query, logger: logger) {
                result.append(try NodeRow.decode(row, kind: kind))
            }
            return result
        }
        guard nodes.count > page.size else { return Page(items: nodes, next: nil) }
        let items = Array(nodes.prefix(page.size))
        let last = items[items.count - 1]
        let value: Int64
        switch page.order.field {
        case .id: value = last.id
        case .createTime: value = last.createTime
        case .updateTime: value = last.updateTime
        }
        return Page(items: items, next: PageCursor(value: value, id: last.id))
    }

    private static func listQuery(_ kind: NodeKind, namespaceID: NamespaceID, filter: NodeListFilter, page: PageRequest)
        -> PostgresQuery
    {
        let column: String
        switch page.order.field {
        case .id: column = "n.id"
        case .createTime: column = "n.create_time"
        case .updateTime: column = "n.update_time"
        }
        let direction = page.order.descending ? "DESC" : "ASC"
        let comparison = page.order.descending ? "<" : ">"
        // The relation's condition wraps the one bind it needs; with no relation it reduces to `$n IS NULL`.
        let relationID = filter.relation?.anchor.id
        let relationCondition: (String, String) = filter.relation.map { relation in
            let parts = relation.condition.components(separatedBy: "$ID")
            return (parts[0], "::int8" + parts[1])
        } ?? ("(", "::int8 IS NULL)")
        let (valuePrefix, valueSuffix) =
            page.order.field == .id ? ("", "::int8") : ("'epoch'::timestamptz + ", "::int8 * interval '1 microsecond'")
        return """
            SELECT \(unescaped: NodeTable.selectColumns("n")) FROM \(unescaped: NodeTable.name(kind)) n
            JOIN types t ON t.id = n.type_id
            WHERE n.namespace_id = \(namespaceID.rawValue)
                AND (\(filter.typeID?.rawValue)::int8 IS NULL OR n.type_id = \(filter.typeID?.rawValue))
                AND (\(filter.name)::text IS NULL OR n.name = \(filter.name))
                AND (\(filter.externalID)::text IS NULL OR n.external_id = \(filter.externalID))
                AND (\(filter.uri)::text IS NULL OR n.uri = \(filter.uri))
                AND \(unescaped: relationCondition.0)\(relationID)\(unescaped: relationCondition.1)
                AND (NOT \(page.after != nil) OR (\(unescaped: column), n.id) \(unescaped: comparison)
                    (\(unescaped: valuePrefix)\(page.after?.value ?? 0)\(unescaped: valueSuffix), \(page.after?.id ?? 0)))
            ORDER BY \(unescaped: column) \(unescaped: direction), n.id \(unescaped: direction)
            LIMIT \(page.size + 1)
            """
    }
}

/// Decoding of the columns of `NodeTable.selectColumns`.
enum NodeRow {
    static func decode(_ row: PostgresRow, kind: NodeKind) throws -> Node {
        let (id, typeID, typeName, name, externalID, uri, state, properties, custom, created, updated, revision) =
            try row.decode(
                (Int64, Int64, String, String?, String?, String?, Int16?, String, String, Int64, Int64, Int64).self)
        return Node(
            kind: kind, id: id, typeID: TypeID(typeID), typeName: typeName, name: name, externalID: externalID,
            uri: uri, state: state, properties: PropertyMap.fromStored(try JSONParser.parse(properties)),
            customProperties: PropertyMap.fromStored(try JSONParser.parse(custom)), createTime: created,
            updateTime: updated, revision: revision)
    }
}

extension PostgresStore {
    /// Nodes of `kind` with the given ids in `namespace`, in the order of `ids`, skipping missing ones (as MLMD's
    /// Get*ByID does).
    public func nodes(_ kind: NodeKind, ids: [Int64], namespace: String) async throws(ProvenanceError) -> [Node] {
        let namespaceID = try await namespaceID(namespace)
        return try await nodes(kind, ids: ids, namespaceID: namespaceID)
    }
}
