import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Registers a component version, making the MLMD types it names (its execution type, the artifact types of
    /// its ports) where they do not exist. Registering the same definition again is answered with the stored one
    /// (`created` false); another definition under a registered name and version is `alreadyExists`: versions are
    /// immutable.
    public func registerComponent(_ spec: ComponentSpec, namespace: String) async throws(ProvenanceError)
        -> (component: StoredComponent, created: Bool)
    {
        try spec.validate()
        let namespaceID = try await namespaceID(namespace)
        if let template = spec.resourceTemplate,
            try await resourceTemplates(namespaceID: namespaceID, names: [template]).isEmpty
        {
            throw .invalid("resources.template", "no resource template '\(template)' exists in namespace \(namespace); apply it first")
        }
        var types = [NodeType(kind: .execution, name: spec.executionType)]
        for port in spec.inputs + spec.outputs where !types.contains(where: { $0.kind == .artifact && $0.name == port.type }) {
            types.append(PipelineMetadata.artifactType(port.type))
        }
        let stored = try await putTypes(types, namespace: namespace, options: TypeEvolutionOptions(canOmitFields: true))
        let executionTypeID = stored[0].type.id
        let text = JSONWriter.string(spec.json)
        let inserted: StoredComponent? = try await perform { [self] connection in
            let rows = try await connection.query(
                """
                INSERT INTO components (namespace_id, name, version, spec, execution_type_id)
                VALUES (\(namespaceID.rawValue), \(spec.name), \(spec.version), \(text)::json, \(executionTypeID.rawValue))
                ON CONFLICT (namespace_id, name, version) DO NOTHING
                RETURNING id, \(unescaped: Self.microseconds("create_time"))
                """, logger: logger)
            for try await (id, created) in rows.decode((Int64, Int64).self) {
                return StoredComponent(id: ComponentID(id), spec: spec, executionTypeID: executionTypeID, createTime: created)
            }
            return nil
        }
        if let inserted { return (inserted, true) }
        guard let existing = try await components([spec.reference], namespaceID: namespaceID)[spec.reference] else {
            throw ProvenanceError(.aborted, "component \(spec.reference) was registered concurrently; retry")
        }
        guard existing.spec == spec else {
            throw ProvenanceError(
                .alreadyExists,
                "component \(spec.reference) is already registered with another definition; versions are immutable, "
                    + "so register the change as a new version")
        }
        return (existing, false)
    }

    /// The component `reference` in `namespace`, or `notFound`.
    public func component(_ reference: ComponentReference, namespace: String) async throws(ProvenanceError)
        -> StoredComponent
    {
        let namespaceID = try await namespaceID(namespace)
        guard let found = try await components([reference], namespaceID: namespaceID)[reference] else {
            throw .notFound("component \(reference) not found")
        }
        return found
    }

    /// The registered versions of components in `namespace` (of the one named `name`, if given), by name then id.
    public func listComponents(namespace: String, name: String?) async throws(ProvenanceError) -> [StoredComponent] {
        let namespaceID = try await namespaceID(namespace)
        return try await componentRows(
            StoreReadSQL.ComponentsNamed.self,
            """
            SELECT id, spec::text, execution_type_id, \(unescaped: Self.microseconds("create_time")) FROM components
            WHERE namespace_id = \(namespaceID.rawValue) AND (\(name)::text IS NULL OR name = \(name))
            ORDER BY name, id
            """)
    }

    /// The stored components among `references`, by reference.
    func components(_ references: [ComponentReference], namespaceID: NamespaceID) async throws(ProvenanceError)
        -> [ComponentReference: StoredComponent]
    {
        guard !references.isEmpty else { return [:] }
        let names = references.map(\.name), versions = references.map(\.version)
        let found = try await componentRows(
            StoreReadSQL.ComponentsByReference.self,
            """
            SELECT c.id, c.spec::text, c.execution_type_id, \(unescaped: Self.microseconds("c.create_time"))
            FROM unnest(\(names)::text[], \(versions)::text[]) AS r(name, version)
            JOIN components c ON c.namespace_id = \(namespaceID.rawValue) AND c.name = r.name AND c.version = r.version
            """)
        return Dictionary(found.map { ($0.spec.reference, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func componentRows<Name: PreparedQueryName>(
        _ statement: Name.Type, _ query: PostgresQuery, name: String = #function
    ) async throws(ProvenanceError) -> [StoredComponent] {
        let rows: [(Int64, String, Int64, Int64)] = try await perform(name: name) { [self] connection in
            var rows: [(Int64, String, Int64, Int64)] = []
            for try await row in try await connection.prepared(statement, query, logger: logger) {
                rows.append(try row.decode((Int64, String, Int64, Int64).self))
            }
            return rows
        }
        return try rows.map { id, text, typeID, created throws(ProvenanceError) in
            StoredComponent(
                id: ComponentID(id), spec: try Self.storedSpec { () throws(ProvenanceError) in
                    try ComponentSpec(json: try JSONParser.parse(text))
                }, executionTypeID: TypeID(typeID), createTime: created)
        }
    }

    /// Reads a spec the store wrote; storage is ours, so one that no longer reads is an internal error.
    static func storedSpec<Spec>(_ read: () throws(ProvenanceError) -> Spec) throws(ProvenanceError) -> Spec {
        do {
            return try read()
        } catch {
            throw ProvenanceError(.internal, "a stored spec no longer reads: \(error.message)")
        }
    }

    /// A timestamp column as microseconds since the epoch.
    static func microseconds(_ column: String) -> String {
        "(extract(epoch FROM \(column)) * 1000000)::int8"
    }
}
