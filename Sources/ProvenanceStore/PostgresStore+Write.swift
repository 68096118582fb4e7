import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// How many times a write that lost a race (to a concurrent insert of a context or artifact it meant to reuse,
    /// or a deadlock) is retried before the client gets `aborted`.
    static let writeAttempts = 5

    /// Performs a composite write atomically: all of it, or (on any error) none of it. Every write of nodes,
    /// events and links goes through here. `names` are the client's field names, used in error messages.
    public func write(_ write: LineageWrite, namespace: String, names: LineageWriteFieldNames = .init())
        async throws(ProvenanceError) -> LineageWriteResult
    {
        try write.validate(names: names)
        let namespaceID = try await namespaceID(namespace)
        let parameters = try await parameters(write, namespaceID: namespaceID, names: names)
        return try await perform { [self] connection in
            var attempt = 1
            while true {
                do {
                    return write.referencesStoredNodes
                        ? try await execute(LineageWriteStatement<GeneralLineageWrite>(parameters: parameters), on: connection)
                        : try await execute(LineageWriteStatement<NewNodesLineageWrite>(parameters: parameters), on: connection)
                } catch where attempt < Self.writeAttempts && Self.isRetryable(error, options: write.options) {
                    attempt += 1
                } catch where Self.isRetryable(error, options: write.options) {
                    throw ProvenanceError(.aborted, "concurrent writes kept conflicting with this one; retry it")
                }
            }
        }
    }

    private func execute<Variant>(_ statement: LineageWriteStatement<Variant>, on connection: PostgresConnection)
        async throws -> LineageWriteResult
    {
        for try await (artifacts, executions, contexts, _) in try await connection.execute(statement, logger: logger) {
            return LineageWriteResult(
                artifactIDs: artifacts.map(ArtifactID.init), executionIDs: executions.map(ExecutionID.init),
                contextIDs: contexts.map(ContextID.init))
        }
        throw ProvenanceError(.internal, "write statement returned no row")
    }

    /// Resolves types, checks properties against their schemas and encodes the statement's parameters.
    private func parameters(_ write: LineageWrite, namespaceID: NamespaceID, names: LineageWriteFieldNames)
        async throws(ProvenanceError) -> LineageWriteParameters
    {
        var rows: [NodeKind: String] = [:]
        for kind in NodeKind.allCases {
            let writes = write.nodes(kind)
            let existingTypes = try await typesOfUpdatedNodes(writes, kind: kind, namespaceID: namespaceID)
            var encoded: [JSON] = []
            encoded.reserveCapacity(writes.count)
            for (offset, node) in writes.enumerated() {
                let path = names.path(kind, offset)
                switch node {
                case .create(let draft):
                    let type = try await resolveType(draft.type, kind: kind, namespaceID: namespaceID, path: path)
                    encoded.append(try await createRow(draft, ord: offset, type: type, namespaceID: namespaceID, path: path))
                case .update(let id, let patch):
                    let type = existingTypes[id]
                    if let expected = patch.expectedType, let type {
                        let wanted = try await resolveType(expected, kind: kind, namespaceID: namespaceID, path: path)
                        guard wanted.id == type.id else {
                            throw .invalid(path + ".type_id", "\(kind.rawValue) \(id) has type \(type.displayName), not \(wanted.displayName)")
                        }
                    }
                    encoded.append(try await updateRow(id: id, patch, ord: offset, type: type, namespaceID: namespaceID, path: path))
                }
            }
            rows[kind] = JSONWriter.string(.array(encoded))
        }
        let events: [JSON] = write.events.map { event in
            [
                "a": .int(Int64(event.artifactIndex)), "x": .int(Int64(event.executionIndex)),
                "type": .int(Int64(event.type.rawValue)), "path": .array(event.path.map(\.json)),
                "ms": event.millisecondsSinceEpoch.map(JSON.int) ?? .null,
            ]
        }
        let attributions = Self.links(write.attributions, contexts: write.contexts.count, nodes: write.artifacts.count)
        let associations = Self.links(write.associations, contexts: write.contexts.count, nodes: write.executions.count)
        return LineageWriteParameters(
            namespaceID: namespaceID.rawValue, artifacts: rows[.artifact]!, executions: rows[.execution]!,
            contexts: rows[.context]!, events: JSONWriter.string(.array(events)),
            attributionContexts: attributions.map { Int32($0.contextIndex) },
            attributionNodes: attributions.map { Int32($0.nodeIndex) },
            associationContexts: associations.map { Int32($0.contextIndex) },
            associationNodes: associations.map { Int32($0.nodeIndex) },
            reuseContexts: write.options.reuseContextIfAlreadyExists,
            reuseArtifacts: write.options.reuseArtifactIfAlreadyExistsByExternalID)
    }

    /// Explicit links, or (nil) every node linked to every context, as MLMD's composite writes do.
    private static func links(_ links: [IndexLink]?, contexts: Int, nodes: Int) -> [IndexLink] {
        if let links { return links }
        return (0..<contexts).flatMap { context in (0..<nodes).map { IndexLink(contextIndex: context, nodeIndex: $0) } }
    }

    /// The types of the stored nodes an update must check properties against (only those it needs).
    private func typesOfUpdatedNodes(_ writes: [NodeWrite], kind: NodeKind, namespaceID: NamespaceID)
        async throws(ProvenanceError) -> [Int64: NodeType]
    {
        let ids: [Int64] = writes.compactMap { write in
            guard case .update(let id, let patch) = write,
                !patch.properties.set.isEmpty || patch.expectedType != nil
            else { return nil }
            return id
        }
        guard !ids.isEmpty else { return [:] }
        let typeIDs: [Int64: Int64] = try await perform { [self] connection in
            let rows = try await connection.query(
                """
                SELECT id, type_id FROM \(unescaped: NodeTable.name(kind))
                WHERE id = ANY(\(ids)) AND namespace_id = \(namespaceID.rawValue)
                """, logger: logger)
            var result: [Int64: Int64] = [:]
            for try await (id, typeID) in rows.decode((Int64, Int64).self) { result[id] = typeID }
            return result
        }
        var types: [Int64: NodeType] = [:]
        for id in ids {
            guard let typeID = typeIDs[id] else { throw .notFound("\(kind.rawValue) \(id) not found") }
            types[id] = try await type(TypeID(typeID), namespaceID: namespaceID, refresh: false)
        }
        return types
    }

    /// Checks `inputs` against `type`'s schema, refreshing a cached type once if it lacks a property (another
    /// server may have added it).
    private func resolveProperties(
        _ inputs: [String: PropertyInput], type: NodeType, namespaceID: NamespaceID, path: String
    ) async throws(ProvenanceError) -> [String: PropertyValue] {
        var schema = type
        if inputs.keys.contains(where: { schema.properties[$0] == nil }) {
            schema = try await self.type(type.id, namespaceID: namespaceID, refresh: true)
        }
        return try schema.resolveProperties(inputs, path: path)
    }

    private func createRow(_ draft: NodeDraft, ord: Int, type: NodeType, namespaceID: NamespaceID, path: String)
        async throws(ProvenanceError) -> JSON
    {
        let properties = try await resolveProperties(
            draft.properties, type: type, namespaceID: namespaceID, path: path + ".properties")
        let custom = try NodeType.resolveCustomProperties(draft.customProperties, path: path + ".custom_properties")
        return [
            "ord": .int(Int64(ord)), "type_id": .int(type.id.rawValue), "name": draft.name.map(JSON.string) ?? .null,
            "external_id": draft.externalID.map(JSON.string) ?? .null, "uri": draft.uri.map(JSON.string) ?? .null,
            "state": draft.state.map { .int(Int64($0)) } ?? (draft.kind.stateField == nil ? .null : .int(0)),
            "properties": PropertyMap.taggedJSON(properties), "custom_properties": PropertyMap.taggedJSON(custom),
        ]
    }

    private func updateRow(
        id: Int64, _ patch: NodePatch, ord: Int, type: NodeType?, namespaceID: NamespaceID, path: String
    ) async throws(ProvenanceError) -> JSON {
        var properties: [String: PropertyValue] = [:]
        if let type, !patch.properties.set.isEmpty {
            properties = try await resolveProperties(
                patch.properties.set, type: type, namespaceID: namespaceID, path: path + ".properties")
        }
        let custom = try NodeType.resolveCustomProperties(patch.customProperties.set, path: path + ".custom_properties")
        let changes =
            patch.name != .keep || patch.externalID != .keep || patch.uri != .keep || patch.state != .keep
            || !patch.properties.isEmpty || !patch.customProperties.isEmpty
        return [
            "ord": .int(Int64(ord)), "id": .int(id),
            "name": Self.value(patch.name, JSON.string), "set_name": .bool(patch.name != .keep),
            "external_id": Self.value(patch.externalID, JSON.string), "set_external_id": .bool(patch.externalID != .keep),
            "uri": Self.value(patch.uri, JSON.string), "set_uri": .bool(patch.uri != .keep),
            "state": Self.value(patch.state) { .int(Int64($0)) }, "set_state": .bool(patch.state != .keep),
            "properties": PropertyMap.taggedJSON(properties), "replace_properties": .bool(patch.properties.replaceAll),
            "remove_properties": .array(patch.properties.remove.map(JSON.string)),
            "custom_properties": PropertyMap.taggedJSON(custom), "replace_custom": .bool(patch.customProperties.replaceAll),
            "remove_custom": .array(patch.customProperties.remove.map(JSON.string)),
            "expected_revision": patch.expectedRevision.map(JSON.int) ?? .null, "changes": .bool(changes),
        ]
    }

    private static func value<T>(_ update: FieldUpdate<T>, _ encode: (T) -> JSON) -> JSON {
        guard case .set(let value?) = update else { return .null }
        return encode(value)
    }
}

/// Which of the two composite-write statements (see `LineageWriteSQL`) a write runs.
protocol LineageWriteVariant: Sendable {
    static var sql: String { get }
}

/// Writes that name existing nodes by id (updates, references).
enum GeneralLineageWrite: LineageWriteVariant {
    static var sql: String { LineageWriteSQL.general }
}

/// Writes of new nodes only (possibly reused by key).
enum NewNodesLineageWrite: LineageWriteVariant {
    static var sql: String { LineageWriteSQL.newNodesOnly }
}

/// The parameters of a composite write, in the order of `LineageWriteSQL`'s placeholders.
struct LineageWriteParameters: Sendable {
    var namespaceID: Int64
    var artifacts: String
    var executions: String
    var contexts: String
    var events: String
    var attributionContexts: [Int32]
    var attributionNodes: [Int32]
    var associationContexts: [Int32]
    var associationNodes: [Int32]
    var reuseContexts: Bool
    var reuseArtifacts: Bool
}

/// The prepared composite-write statement; each variant is prepared once per connection under its own name.
struct LineageWriteStatement<Variant: LineageWriteVariant>: PostgresPreparedStatement {
    static var sql: String { Variant.sql }
    typealias Row = ([Int64], [Int64], [Int64], Int64)

    var parameters: LineageWriteParameters

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 11)
        bindings.append(parameters.namespaceID)
        bindings.append(parameters.artifacts)
        bindings.append(parameters.executions)
        bindings.append(parameters.contexts)
        bindings.append(parameters.events)
        bindings.append(parameters.attributionContexts)
        bindings.append(parameters.attributionNodes)
        bindings.append(parameters.associationContexts)
        bindings.append(parameters.associationNodes)
        bindings.append(parameters.reuseContexts)
        bindings.append(parameters.reuseArtifacts)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
