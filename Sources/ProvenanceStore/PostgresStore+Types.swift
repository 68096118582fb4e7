import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Creates a type, or evolves the stored type of the same kind, name and version under MLMD's rules. Returns
    /// the stored type and whether it was created.
    public func putType(_ requested: NodeType, namespace: String, options: TypeEvolutionOptions)
        async throws(ProvenanceError) -> (type: NodeType, created: Bool)
    {
        let stored = try await putTypes([requested], namespace: namespace, options: options)
        return (type: stored[0].type, created: stored[0].created)
    }

    /// A type the engine records under (no properties of its own): the cached one when it is known with the same
    /// base type (types are never deleted, and this asks for nothing they could lack), else put (made if missing).
    func engineType(_ requested: NodeType, namespace: String) async throws(ProvenanceError) -> NodeType {
        let namespaceID = try await namespaceID(namespace)
        let key = TypeCache.Key(namespace: namespaceID, kind: requested.kind, name: requested.name, version: requested.version)
        if requested.properties.isEmpty, let cached = typeCache.type(key),
            requested.baseType == nil || cached.baseType == requested.baseType
        {
            return cached
        }
        do {
            return try await putType(requested, namespace: namespace, options: TypeEvolutionOptions(canOmitFields: true)).type
        } catch {
            // Concurrent first runs in a namespace create its engine types at once: the loser reads the winner's.
            guard error.code == .alreadyExists else { throw error }
            return try await putType(requested, namespace: namespace, options: TypeEvolutionOptions(canOmitFields: true)).type
        }
    }

    /// Puts several types in one transaction (MLMD's PutTypes): all are created or evolved, or none is.
    /// `fields` names each type in errors.
    public func putTypes(
        _ requested: [NodeType], namespace: String, options: TypeEvolutionOptions, fields: [String]? = nil
    ) async throws(ProvenanceError) -> [(type: NodeType, created: Bool)] {
        for (offset, type) in requested.enumerated() { try type.validateDefinition(path: fields?[offset] ?? "") }
        let namespaceID = try await namespaceID(namespace)
        let result: [(type: NodeType, created: Bool)] = try await perform { [self] connection in
            try await connection.withTransaction(logger: logger) { connection in
                var stored: [(type: NodeType, created: Bool)] = []
                for type in requested {
                    stored.append(try await putType(type, namespaceID: namespaceID, options: options, on: connection))
                }
                return stored
            }
        }
        for entry in result { typeCache.store(entry.type, namespace: namespaceID) }
        return result
    }

    private func putType(
        _ requested: NodeType, namespaceID: NamespaceID, options: TypeEvolutionOptions, on connection: PostgresConnection
    ) async throws -> (type: NodeType, created: Bool) {
        let kind = NodeTable.typeKind(requested.kind)
        let rows = try await connection.query(
            """
            SELECT \(unescaped: Self.typeColumns) FROM types
            WHERE namespace_id = \(namespaceID.rawValue) AND kind = \(kind) AND name = \(requested.name)
                AND version IS NOT DISTINCT FROM \(requested.version)
            FOR UPDATE
            """, logger: logger)
        var stored: NodeType?
        for try await row in rows { stored = try Self.decodeType(row) }
        guard let stored else {
            let inserted = try await connection.query(
                """
                INSERT INTO types (namespace_id, kind, name, version, description, external_id, base_type,
                                   properties)
                VALUES (\(namespaceID.rawValue), \(kind), \(requested.name), \(requested.version),
                        \(requested.description), \(requested.externalID), \(requested.baseType),
                        \(Self.schemaJSON(requested.properties))::text::jsonb)
                RETURNING \(unescaped: Self.typeColumns)
                """, logger: logger)
            for try await row in inserted { return (try Self.decodeType(row), true) }
            throw ProvenanceError(.internal, "type insert returned no row")
        }
        guard let evolved = try stored.evolved(to: requested, options: options) else { return (stored, false) }
        try await connection.query(
            """
            UPDATE types SET properties = \(Self.schemaJSON(evolved.properties))::text::jsonb,
                description = \(evolved.description), external_id = \(evolved.externalID),
                base_type = \(evolved.baseType)
            WHERE id = \(stored.id.rawValue)
            """, logger: logger)
        return (evolved, false)
    }

    /// The type with `id` in `namespace`, or `notFound`.
    public func type(_ id: TypeID, namespace: String) async throws(ProvenanceError) -> NodeType {
        let namespaceID = try await namespaceID(namespace)
        return try await type(id, namespaceID: namespaceID, refresh: false)
    }

    /// Types of a namespace, optionally of one kind, name and version, ordered by id.
    public func listTypes(namespace: String, kind: NodeKind?, name: String?, version: String?)
        async throws(ProvenanceError) -> [NodeType]
    {
        let namespaceID = try await namespaceID(namespace)
        return try await perform { [self] connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.typeColumns) FROM types
                WHERE namespace_id = \(namespaceID.rawValue)
                    AND (\(kind.map(NodeTable.typeKind))::int2 IS NULL OR kind = \(kind.map(NodeTable.typeKind)))
                    AND (\(name)::text IS NULL OR name = \(name))
                    AND (\(version)::text IS NULL OR version = \(version))
                ORDER BY id
                """, logger: logger)
            var result: [NodeType] = []
            for try await row in rows { result.append(try Self.decodeType(row)) }
            return result
        }
    }

    /// The type of `kind` with this name and exactly this version (nil: the unversioned type), or nil.
    public func type(_ kind: NodeKind, named name: String, version: String?, namespace: String)
        async throws(ProvenanceError) -> NodeType?
    {
        let namespaceID = try await namespaceID(namespace)
        do {
            return try await resolveType(.name(name, version: version), kind: kind, namespaceID: namespaceID, path: "")
        } catch where error.code == .notFound {
            return nil
        }
    }

    /// A type by id, from the cache unless `refresh`; it must belong to `namespaceID`.
    func type(_ id: TypeID, namespaceID: NamespaceID, refresh: Bool) async throws(ProvenanceError) -> NodeType {
        if !refresh, let cached = typeCache.type(id) {
            guard cached.namespace == namespaceID else { throw .notFound("type \(id) not found") }
            return cached.type
        }
        let found: (NamespaceID, NodeType)? = try await perform { [self] connection in
            let rows = try await connection.query(
                "SELECT namespace_id, \(unescaped: Self.typeColumns) FROM types WHERE id = \(id.rawValue)",
                logger: logger)
            for try await row in rows {
                let namespace = try row.decode(Int64.self, context: .default)
                return (NamespaceID(namespace), try Self.decodeType(row, offset: 1))
            }
            return nil
        }
        guard let found, found.0 == namespaceID else { throw .notFound("type \(id) not found") }
        typeCache.store(found.1, namespace: found.0)
        return found.1
    }

    /// Resolves how a write names a type to the stored type, which must be of `kind`.
    func resolveType(_ reference: TypeReference, kind: NodeKind, namespaceID: NamespaceID, path: @autoclosure () -> String)
        async throws(ProvenanceError) -> NodeType
    {
        switch reference {
        case .id(let id):
            let type = try await type(id, namespaceID: namespaceID, refresh: false)
            guard type.kind == kind else {
                throw .invalid(Validation.join(path(), "type_id"), "type \(id) is a \(type.kind.rawValue) type, not a \(kind.rawValue) type")
            }
            return type
        case .name(let name, let version):
            let key = TypeCache.Key(namespace: namespaceID, kind: kind, name: name, version: version)
            if let cached = typeCache.type(key) { return cached }
            let found: NodeType? = try await perform { [self] connection in
                let rows = try await connection.query(
                    """
                    SELECT \(unescaped: Self.typeColumns) FROM types
                    WHERE namespace_id = \(namespaceID.rawValue) AND kind = \(NodeTable.typeKind(kind))
                        AND name = \(name) AND version IS NOT DISTINCT FROM \(version)
                    """, logger: logger)
                for try await row in rows { return try Self.decodeType(row) }
                return nil
            }
            guard let found else {
                let versionText = version.map { " version '\($0)'" } ?? ""
                throw .notFound("\(kind.rawValue) type '\(name)'\(versionText) not found")
            }
            typeCache.store(found, namespace: namespaceID)
            return found
        }
    }

    static let typeColumns = "id, kind, name, version, description, external_id, base_type, properties::text"

    static func decodeType(_ row: PostgresRow, offset: Int = 0) throws -> NodeType {
        let cells = Array(row)
        func cell<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T {
            try cells[offset + index].decode(T.self, context: .default)
        }
        let schema = try JSONParser.parse(try cell(7, String.self))
        var properties: [String: PropertyType] = [:]
        if case .object(let members) = schema {
            for member in members {
                if case .string(let name) = member.value, let type = PropertyType(name: name) {
                    properties[member.key] = type
                }
            }
        }
        return NodeType(
            id: TypeID(try cell(0, Int64.self)), kind: NodeTable.kind(ofTypeKind: try cell(1, Int16.self)),
            name: try cell(2, String.self), version: try cell(3, String?.self),
            description: try cell(4, String?.self), externalID: try cell(5, String?.self),
            baseType: try cell(6, String?.self), properties: properties)
    }

    static func schemaJSON(_ properties: [String: PropertyType]) -> String {
        JSONWriter.string(.object(properties.keys.sorted().map { (key: $0, value: .string(properties[$0]!.name)) }))
    }
}
