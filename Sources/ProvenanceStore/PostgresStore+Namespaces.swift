import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Creates a namespace, recorded in the audit log as `actor`'s in the same transaction; a taken name is
    /// `alreadyExists`.
    public func createNamespace(name: String, description: String?, actor: AuditActor) async throws(ProvenanceError)
        -> Namespace
    {
        try Validation.checkNamespaceName(name)
        if let description { try Validation.checkText(description, field: "description") }
        return try await transaction { [self] connection in
            let rows = try await connection.query(
                """
                INSERT INTO namespaces (name, description) VALUES (\(name), \(description))
                RETURNING id, name, description, (extract(epoch FROM create_time) * 1000000)::int8
                """, logger: logger)
            var created: Namespace?
            for try await row in rows { created = try Self.decodeNamespace(row) }
            guard let created else { throw ProvenanceError(.internal, "namespace insert returned no row") }
            try await Self.appendAudit(
                connection, actor: actor, action: "namespace.create", namespaces: .only([name]),
                target: "namespace \(name)", logger: logger)
            return created
        }
    }

    /// All namespaces, by name.
    public func listNamespaces() async throws(ProvenanceError) -> [Namespace] {
        try await perform { [self] connection in
            let rows = try await connection.query(
                """
                SELECT id, name, description, (extract(epoch FROM create_time) * 1000000)::int8
                FROM namespaces ORDER BY name
                """, logger: logger)
            var result: [Namespace] = []
            for try await row in rows { result.append(try Self.decodeNamespace(row)) }
            return result
        }
    }

    /// The id of the namespace called `name`, or `notFound`. Namespaces are never renamed or dropped, so the
    /// answer is cached for the life of the process.
    public func namespaceID(_ name: String) async throws(ProvenanceError) -> NamespaceID {
        if let cached = namespaceCache.withLock({ $0[name] }) { return cached }
        try Validation.checkText(name, field: "namespace")
        let id: NamespaceID? = try await perform { [self] connection in
            let rows = try await connection.query("SELECT id FROM namespaces WHERE name = \(name)", logger: logger)
            for try await id in rows.decode(Int64.self) { return NamespaceID(id) }
            return nil
        }
        guard let id else { throw .notFound("namespace '\(name)' not found") }
        namespaceCache.withLock { $0[name] = id }
        return id
    }

    private static func decodeNamespace(_ row: PostgresRow) throws -> Namespace {
        let (id, name, description, created) = try row.decode((Int64, String, String?, Int64).self)
        return Namespace(id: NamespaceID(id), name: name, description: description, createTime: created)
    }
}
