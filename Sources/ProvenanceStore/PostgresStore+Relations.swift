import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Attributes an artifact to a context; idempotent.
    public func attribute(_ artifact: ArtifactID, to context: ContextID, namespace: String) async throws(ProvenanceError) {
        let write = LineageWrite(
            artifacts: [.update(id: artifact.rawValue, NodePatch())], contexts: [.update(id: context.rawValue, NodePatch())],
            attributions: [IndexLink(contextIndex: 0, nodeIndex: 0)], associations: [])
        _ = try await self.write(write, namespace: namespace)
    }

    /// Associates an execution with a context; idempotent.
    public func associate(_ execution: ExecutionID, with context: ContextID, namespace: String)
        async throws(ProvenanceError)
    {
        let write = LineageWrite(
            executions: [.update(id: execution.rawValue, NodePatch())], contexts: [.update(id: context.rawValue, NodePatch())],
            attributions: [], associations: [IndexLink(contextIndex: 0, nodeIndex: 0)])
        _ = try await self.write(write, namespace: namespace)
    }

    /// Makes `parent` a parent of `child`; idempotent. A link that would close a cycle is `alreadyExists`,
    /// as in MLMD.
    ///
    /// Parent links of a namespace are serialized by an advisory lock so two concurrent links cannot together
    /// form a cycle that neither sees alone.
    public func addParent(_ parent: ContextID, to child: ContextID, namespace: String) async throws(ProvenanceError) {
        guard parent != child else { throw .invalid("parent_id", "a context cannot be its own parent") }
        let namespaceID = try await namespaceID(namespace)
        try await perform { [self] connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(Self.parentLinkLock), \(Int32(truncatingIfNeeded: namespaceID.rawValue)))",
                    logger: logger)
                let rows = try await connection.query(
                    """
                    WITH RECURSIVE ancestors(id) AS (
                        SELECT \(parent.rawValue)::int8
                        UNION
                        SELECT p.parent_id FROM parent_contexts p JOIN ancestors a ON p.child_id = a.id
                    )
                    SELECT ARRAY(SELECT id FROM contexts
                            WHERE id IN (\(parent.rawValue), \(child.rawValue)) AND namespace_id = \(namespaceID.rawValue)),
                           EXISTS (SELECT 1 FROM ancestors WHERE id = \(child.rawValue))
                    """, logger: logger)
                for try await (found, cycle) in rows.decode(([Int64], Bool).self) {
                    if let missing = [child, parent].first(where: { !found.contains($0.rawValue) }) {
                        throw ProvenanceError.notFound("context \(missing) not found")
                    }
                    guard !cycle else {
                        throw ProvenanceError(
                            .alreadyExists, "making context \(parent) a parent of \(child) would create a cycle")
                    }
                }
                try await connection.query(
                    """
                    INSERT INTO parent_contexts (child_id, parent_id) VALUES (\(child.rawValue), \(parent.rawValue))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
    }

    /// The advisory lock class serializing parent-context links (the second key is the namespace).
    static let parentLinkLock: Int32 = 0x5052_4E43
}
