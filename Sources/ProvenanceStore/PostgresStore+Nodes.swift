import Foundation
import PostgresNIO
import ProvenanceCore

/// Conditions on a node listing besides the namespace.
public struct NodeListFilter: Sendable, Equatable {
    /// Only nodes of this type.
    public var typeID: TypeID?
    /// Only nodes with this name.
    public var name: String?
    /// Only nodes with one of these external ids.
    public var externalIDs: [String]?
    /// Only artifacts with one of these URIs.
    public var uris: [String]?
    /// Only nodes linked to another node this way.
    public var relation: NodeRelation?
    /// Only nodes this filter (MLMD's filter_query) selects.
    public var query: Filter?

    /// Creates a filter; the default matches everything.
    public init(
        typeID: TypeID? = nil, name: String? = nil, externalIDs: [String]? = nil, uris: [String]? = nil,
        relation: NodeRelation? = nil, query: Filter? = nil
    ) {
        self.query = query
        self.typeID = typeID
        self.name = name
        self.externalIDs = externalIDs
        self.uris = uris
        self.relation = relation
    }

    /// A stable description of the filter, binding page tokens to the query that issued them.
    public var fingerprint: String {
        let relationText = relation.map { "\($0)" } ?? "-"
        let queryText = query.map { "\($0.condition)" } ?? "-"
        let externalIDText = externalIDs.map { "\($0)" } ?? "-"
        let uriText = uris.map { "\($0)" } ?? "-"
        return "t=\(typeID?.rawValue ?? -1)|n=\(name ?? "\u{0}")|e=\(externalIDText)|u=\(uriText)|r=\(relationText)|q=\(queryText)"
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

    /// The EXISTS condition on the listed node `n`, given the placeholder of the anchor id.
    func condition(anchor: String) -> String {
        switch self {
        case .artifactsOfContext: "EXISTS (SELECT 1 FROM attributions r WHERE r.artifact_id = n.id AND r.context_id = \(anchor))"
        case .executionsOfContext: "EXISTS (SELECT 1 FROM associations r WHERE r.execution_id = n.id AND r.context_id = \(anchor))"
        case .contextsOfArtifact: "EXISTS (SELECT 1 FROM attributions r WHERE r.context_id = n.id AND r.artifact_id = \(anchor))"
        case .contextsOfExecution: "EXISTS (SELECT 1 FROM associations r WHERE r.context_id = n.id AND r.execution_id = \(anchor))"
        case .parentsOfContext: "EXISTS (SELECT 1 FROM parent_contexts r WHERE r.parent_id = n.id AND r.child_id = \(anchor))"
        case .childrenOfContext: "EXISTS (SELECT 1 FROM parent_contexts r WHERE r.child_id = n.id AND r.parent_id = \(anchor))"
        }
    }
}

extension PostgresStore {
    /// The node of `kind` with `id` in `namespace`, or `notFound`.
    public func node(_ kind: NodeKind, id: Int64, namespace: String) async throws(ProvenanceError) -> Node {
        let namespaceID = try await namespaceID(namespace)
        guard let node = try await nodes(kind, ids: [id], namespaceID: namespaceID).first else {
            throw try await perform { [logger] connection in
                try await Self.missing(kind, id: id, namespaceID: namespaceID, connection, logger: logger)
            }
        }
        return node
    }

    /// Nodes of `kind` with the given ids in the namespace, in the order of `ids`, skipping missing ones.
    func nodes(_ kind: NodeKind, ids: [Int64], namespaceID: NamespaceID) async throws(ProvenanceError) -> [Node] {
        guard !ids.isEmpty else { return [] }
        let sql = NodesByIDSQL.query(kind, ids: ids, namespaceID: namespaceID)
        let decode: @Sendable (PostgresRow) throws -> Node = { try NodeRow.decode($0, kind: kind) }
        let nodes = try await rows(sql, decode: decode)
        let found = Dictionary(nodes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { found[$0] }
    }

    /// One page of nodes of `kind` in `namespace`, keyset-paginated on (order field, id).
    public func listNodes(_ kind: NodeKind, namespace: String, filter: NodeListFilter, page: PageRequest)
        async throws(ProvenanceError) -> Page<Node>
    {
        let namespaceID = try await namespaceID(namespace)
        let query = Self.listSQL(kind, namespaceID: namespaceID, filter: filter, page: page).query
        let nodes: [Node] = try await perform { [self] connection in
            var result: [Node] = []
            for try await row in try await connection.query(query, logger: logger) {
                result.append(try NodeRow.decode(row, kind: kind))
            }
            return result
        }
        // Nodes linked to a missing node are none; only an empty answer needs to ask whether the node exists.
        if nodes.isEmpty, let anchor = filter.relation?.anchor,
           try await self.nodes(anchor.kind, ids: [anchor.id], namespaceID: namespaceID).isEmpty {
            throw .notFound("\(anchor.kind.rawValue) \(anchor.id) not found")
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

    /// The statement of one page of a node list.
    static func listSQL(_ kind: NodeKind, namespaceID: NamespaceID, filter: NodeListFilter, page: PageRequest) -> SQLBuilder {
        var sql = SQLBuilder()
        let namespace = sql.bind(namespaceID.rawValue, as: "int8")
        sql.append("""
            SELECT \(NodeTable.selectColumns("n")) FROM \(NodeTable.name(kind)) n JOIN types t ON t.id = n.type_id
            WHERE n.namespace_id = \(namespace)
            """)
        func require(_ column: String, _ value: (some PostgresNonThrowingEncodable)?, as type: String) {
            guard let value else { return }
            let placeholder = sql.bind(value, as: type)
            sql.append(" AND n.\(column) = \(placeholder)")
        }
        require("type_id", filter.typeID?.rawValue, as: "int8")
        require("name", filter.name, as: "text")
        func requireAny(_ column: String, _ values: [String]?) {
            guard let values else { return }
            let placeholder = sql.bind(values, as: "text[]")
            sql.append(" AND n.\(column) = ANY(\(placeholder))")
        }
        requireAny("external_id", filter.externalIDs)
        requireAny("uri", filter.uris)
        if let relation = filter.relation {
            let anchor = sql.bind(relation.anchor.id, as: "int8")
            sql.append(" AND \(relation.condition(anchor: anchor))")
        }
        if let query = filter.query {
            sql.append(" AND ")
            FilterSQL.append(query, node: "n", to: &sql)
        }
        let column = switch page.order.field {
        case .id: "n.id"
        case .createTime: "n.create_time"
        case .updateTime: "n.update_time"
        }
        let direction = page.order.descending ? "DESC" : "ASC"
        if let after = page.after {
            let value = sql.bind(after.value, as: "int8")
            let id = sql.bind(after.id, as: "int8")
            let position = page.order.field == .id ? value : "'epoch'::timestamptz + \(value) * interval '1 microsecond'"
            sql.append(" AND (\(column), n.id) \(page.order.descending ? "<" : ">") (\(position), \(id))")
        }
        let limit = sql.bind(Int64(page.size + 1), as: "int8")
        sql.append(" ORDER BY \(column) \(direction), n.id \(direction) LIMIT \(limit)")
        return sql
    }
}

/// Decoding of the columns of `NodeTable.selectColumns`.
enum NodeRow {
    /// Decodes a row of `NodeTable.selectColumns`.
    static func decode(_ row: PostgresRow, kind: NodeKind) throws -> Node {
        let (id, typeID, typeName, name, externalID, uri, state, properties, custom, created, updated, revision) =
            try row.decode((Int64, Int64, String, String?, String?, String?, Int16?, String, String, Int64, Int64, Int64).self)
        return try node(kind, id, typeID, typeName, name, externalID, uri, state, properties, custom, created, updated, revision)
    }

    /// Decodes a row of a tag column, then `NodeTable.selectColumns` (`NodeBatchSQL.walkAndNodes`).
    static func decodeTagged(_ row: PostgresRow, kind: NodeKind) throws -> Node {
        let (_, id, typeID, typeName, name, externalID, uri, state, properties, custom, created, updated, revision) =
            try row.decode((Int16, Int64, Int64, String, String?, String?, String?, Int16?, String, String, Int64, Int64, Int64).self)
        return try node(kind, id, typeID, typeName, name, externalID, uri, state, properties, custom, created, updated, revision)
    }

    private static func node(
        _ kind: NodeKind, _ id: Int64, _ typeID: Int64, _ typeName: String, _ name: String?, _ externalID: String?,
        _ uri: String?, _ state: Int16?, _ properties: String, _ custom: String, _ created: Int64, _ updated: Int64,
        _ revision: Int64
    ) throws -> Node {
        Node(
            kind: kind, id: id, typeID: TypeID(typeID), typeName: typeName, name: name, externalID: externalID, uri: uri,
            state: state, properties: PropertyMap.fromStored(try JSONParser.parse(properties)),
            customProperties: PropertyMap.fromStored(try JSONParser.parse(custom)), createTime: created,
            updateTime: updated, revision: revision)
    }
}

/// Reads a row's cells in order, for rows whose columns depend on a tag (`NodeBatchSQL.walkAndNodes`) and whose
/// integer arrays are decoded straight from PostgreSQL's binary format; every other SELECT list has a row type
/// decoded in one call.
struct CellReader {
    private var cells: PostgresRow.Iterator

    init(_ row: PostgresRow) { cells = row.makeIterator() }

    mutating func next<T: PostgresDecodable>(_ type: T.Type) throws -> T {
        guard let cell = cells.next() else { throw ProvenanceError(.internal, "a row has fewer columns than expected") }
        return try cell.decode(T.self)
    }

    mutating func skip(_ count: Int) {
        for _ in 0..<count { _ = cells.next() }
    }

    /// The next cell, an array of non-NULL integers (a NULL array reads as empty), decoded straight from
    /// PostgreSQL's binary array format (postgres-nio asks for binary results): its generic array decoding costs
    /// several times as much per element, and lineage rows carry thousands of them.
    mutating func nextIntegers<T: FixedWidthInteger>(_ type: T.Type) throws -> [T] {
        guard let cell = cells.next() else { throw ProvenanceError(.internal, "a row has fewer columns than expected") }
        guard var bytes = cell.bytes else { return [] }
        let malformed = ProvenanceError(.internal, "column \(cell.columnName) is not a one-dimensional integer array")
        guard cell.format == .binary, let dimensions = bytes.readInteger(as: Int32.self), bytes.readInteger(as: Int32.self) != nil,
            bytes.readInteger(as: UInt32.self) != nil
        else { throw malformed }
        guard dimensions != 0 else { return [] }
        guard dimensions == 1, let count = bytes.readInteger(as: Int32.self), count >= 0,
            bytes.readInteger(as: Int32.self) != nil
        else { throw malformed }
        var values: [T] = []
        values.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard bytes.readInteger(as: Int32.self) == Int32(MemoryLayout<T>.size), let value = bytes.readInteger(as: T.self)
            else { throw malformed }
            values.append(value)
        }
        return values
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
