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
        do {
            let (parameters, variant) = try await prepare(write, namespace: namespace, names: names)
            guard variant == .newNodes else {
                return try await retrying(options: write.options) { [self] connection in
                    try await execute(LineageWriteStatement<GeneralLineageWrite>(parameters: parameters), on: connection)
                }
            }
            return try await writeCoalescer.write(parameters) { [self] parameters, shared throws(ProvenanceError) in
                try await retrying(options: write.options, attempts: shared ? 1 : Self.writeAttempts) { [self] connection in
                    try await execute(LineageWriteStatement<NewNodesLineageWrite>(parameters: parameters), on: connection)
                }
            }
        } catch {
            throw UniqueConflict.locate(error, in: write, names: names)
        }
    }

    /// Performs a write of nodes of one kind (REST's create and PATCH) and reads those nodes back in the same
    /// transaction: the answer is what this write produced, never a later writer's change.
    public func writeNodes(
        _ write: LineageWrite, of kind: NodeKind, namespace: String, names: LineageWriteFieldNames = .init()
    ) async throws(ProvenanceError) -> [Node] {
        do {
            let (parameters, variant) = try await prepare(write, namespace: namespace, names: names)
            return try await retrying(options: write.options) { [self] connection in
                try await connection.withTransaction(logger: logger) { connection in
                    let result =
                        variant == .newNodes
                        ? try await execute(LineageWriteStatement<NewNodesLineageWrite>(parameters: parameters), on: connection)
                        : try await execute(LineageWriteStatement<GeneralLineageWrite>(parameters: parameters), on: connection)
                    let ids = result.ids(kind)
                    let found = try await rows(
                        NodesByIDSQL.query(kind, ids: ids, namespaceID: NamespaceID(parameters.namespaceID)),
                        on: connection) { row in try NodeRow.decode(row, kind: kind) }
                    let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
                    return ids.compactMap { byID[$0] }
                }
            }
        } catch {
            throw UniqueConflict.locate(error, in: write, names: names)
        }
    }

    /// Performs a composite write on `connection`, inside the caller's transaction (the engine records each
    /// attempt's lineage in the same transaction as the task's new state).
    func write(_ write: LineageWrite, namespaceID: NamespaceID, on connection: PostgresConnection) async throws
        -> LineageWriteResult
    {
        try write.validate()
        let parameters = try await parameters(write, namespaceID: namespaceID, names: .init())
        return write.referencesStoredNodes
            ? try await execute(LineageWriteStatement<GeneralLineageWrite>(parameters: parameters), on: connection)
            : try await execute(LineageWriteStatement<NewNodesLineageWrite>(parameters: parameters), on: connection)
    }

    /// Which of the two statements a write needs (see `LineageWriteSQL`).
    private enum StatementVariant {
        case general
        case newNodes
    }

    /// Checks a write, resolves its types and encodes its parameters.
    private func prepare(_ write: LineageWrite, namespace: String, names: LineageWriteFieldNames)
        async throws(ProvenanceError) -> (LineageWriteParameters, StatementVariant)
    {
        try write.validate(names: names)
        let namespaceID = try await namespaceID(namespace)
        let parameters = try await parameters(write, namespaceID: namespaceID, names: names)
        return (parameters, write.referencesStoredNodes ? .general : .newNodes)
    }

    /// Runs `body` on a pooled connection, again (up to `attempts` runs in all) when it lost a race to a concurrent
    /// write.
    private func retrying<Answer: Sendable>(
        options: LineageWriteOptions, attempts: Int = writeAttempts, name: String = #function,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Answer
    ) async throws(ProvenanceError) -> Answer {
        try await perform(name: name) { connection in
            var attempt = 1
            while true {
                do {
                    return try await body(connection)
                } catch where attempt < attempts && Self.isRetryable(error, options: options) {
                    attempt += 1
                } catch where attempts > 1 && Self.isRetryable(error, options: options) {
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
        var rows: [NodeKind: NodeColumns] = [:]
        for kind in NodeKind.allCases {
            let writes = write.nodes(kind)
            let existingTypes = try await typesOfUpdatedNodes(writes, kind: kind, namespaceID: namespaceID)
            var columns = NodeColumns()
            // The nodes of a batch mostly share a few types: the last one resolved is reused when it is named again.
            var lastType: (reference: TypeReference, type: NodeType)?
            for (offset, node) in writes.enumerated() {
                func path() -> String { names.path(kind, offset) }
                switch node {
                case .create(let draft):
                    var type: NodeType
                    if let lastType, lastType.reference == draft.type {
                        type = lastType.type
                    } else {
                        type = try await resolveType(draft.type, kind: kind, namespaceID: namespaceID, path: path())
                    }
                    let properties = try await resolveProperties(
                        draft.properties, type: &type, namespaceID: namespaceID, path: Validation.join(path(), "properties"))
                    lastType = (draft.type, type)
                    let custom = try NodeType.resolveCustomProperties(
                        draft.customProperties, path: Validation.join(path(), "custom_properties"))
                    columns.appendCreated(draft, typeID: type.id, properties: properties, custom: custom)
                case .update(let id, let patch):
                    let type = existingTypes[id]
                    if let expected = patch.expectedType, let type {
                        let wanted = try await resolveType(expected, kind: kind, namespaceID: namespaceID, path: path())
                        guard wanted.id == type.id else {
                            throw .invalid(Validation.join(path(), "type_id"), "\(kind.rawValue) \(id) has type \(type.displayName), not \(wanted.displayName)")
                        }
                    }
                    var properties: [String: PropertyValue] = [:]
                    if var type, !patch.properties.set.isEmpty {
                        properties = try await resolveProperties(
                            patch.properties.set, type: &type, namespaceID: namespaceID, path: Validation.join(path(), "properties"))
                    }
                    let custom = try NodeType.resolveCustomProperties(
                        patch.customProperties.set, path: Validation.join(path(), "custom_properties"))
                    columns.appendUpdate(id: id, patch, properties: properties, custom: custom)
                }
            }
            rows[kind] = columns
        }
        let attributions = Self.links(write.attributions, contexts: write.contexts.count, nodes: write.artifacts.count)
        let associations = Self.links(write.associations, contexts: write.contexts.count, nodes: write.executions.count)
        return LineageWriteParameters(
            namespaceID: namespaceID.rawValue, reuseContexts: write.options.reuseContextIfAlreadyExists,
            reuseArtifacts: write.options.reuseArtifactIfAlreadyExistsByExternalID,
            attributionContexts: attributions.map { Int32($0.contextIndex) },
            attributionNodes: attributions.map { Int32($0.nodeIndex) },
            associationContexts: associations.map { Int32($0.contextIndex) },
            associationNodes: associations.map { Int32($0.nodeIndex) },
            nodes: rows, events: EventColumns(write.events))
    }

    /// Explicit links (each once, however often the request repeats it), or (nil) every node linked to every
    /// context, as MLMD's composite writes do.
    private static func links(_ links: [IndexLink]?, contexts: Int, nodes: Int) -> [IndexLink] {
        if let links {
            var seen = Set<IndexLink>()
            return links.filter { seen.insert($0).inserted }
        }
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

    /// Checks `inputs` against `type`'s schema, first refreshing `type` from the database if it lacks a property
    /// (another server may have added it).
    private func resolveProperties(
        _ inputs: [String: PropertyInput], type: inout NodeType, namespaceID: NamespaceID, path: @autoclosure () -> String
    ) async throws(ProvenanceError) -> [String: PropertyValue] {
        if inputs.keys.contains(where: { type.properties[$0] == nil }) {
            type = try await self.type(type.id, namespaceID: namespaceID, refresh: true)
        }
        return try type.resolveProperties(inputs, path: path())
    }
}

/// Which of the two composite-write statements (see `LineageWriteSQL`) a write runs.
protocol LineageWriteVariant: Sendable {
    static var sql: String { get }
    /// Whether the statement reads the update columns.
    static var updatesStoredNodes: Bool { get }
}

/// Writes that name existing nodes by id (updates, references).
enum GeneralLineageWrite: LineageWriteVariant {
    static var sql: String { LineageWriteSQL.general }
    static var updatesStoredNodes: Bool { true }
}

/// Writes of new nodes only (possibly reused by key).
enum NewNodesLineageWrite: LineageWriteVariant {
    static var sql: String { LineageWriteSQL.newNodesOnly }
    static var updatesStoredNodes: Bool { false }
}

/// The prepared composite-write statement; each variant is prepared once per connection under its own name.
struct LineageWriteStatement<Variant: LineageWriteVariant>: PostgresPreparedStatement {
    /// Short: PostgreSQL cuts statement names at 63 bytes.
    static var name: String { "lineage_write_\(Variant.updatesStoredNodes ? "general" : "new_nodes")" }
    static var sql: String { Variant.sql }
    typealias Row = ([Int64], [Int64], [Int64], Int64)

    var parameters: LineageWriteParameters

    func makeBindings() throws -> PostgresBindings {
        parameters.bindings(updates: Variant.updatesStoredNodes)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
