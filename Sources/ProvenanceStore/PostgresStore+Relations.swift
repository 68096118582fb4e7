import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Attributes an artifact to a context; idempotent.
    public func attribute(_ artifact: ArtifactID, to context: ContextID, namespace: String) async throws(ProvenanceError) {
        try await link(attributions: [(artifact, context)], associations: [], namespace: namespace)
    }

    /// Associates an execution with a context; idempotent.
    public func associate(_ execution: ExecutionID, with context: ContextID, namespace: String)
        async throws(ProvenanceError)
    {
        try await link(attributions: [], associations: [(execution, context)], namespace: namespace)
    }

    /// Attributes artifacts and associates executions with contexts, all in one transaction; links that exist
    /// already are left as they are (MLMD's PutAttributionsAndAssociations).
    public func link(
        attributions: [(artifact: ArtifactID, context: ContextID)],
        associations: [(execution: ExecutionID, context: ContextID)], namespace: String
    ) async throws(ProvenanceError) {
        var artifacts: [Int64: Int] = [:]
        var executions: [Int64: Int] = [:]
        var contexts: [Int64: Int] = [:]
        func index(_ id: Int64, in indexByID: inout [Int64: Int]) -> Int {
            if let known = indexByID[id] { return known }
            indexByID[id] = indexByID.count
            return indexByID.count - 1
        }
        var attributionLinks: [IndexLink] = []
        for (artifact, context) in attributions {
            attributionLinks.append(
                IndexLink(contextIndex: index(context.rawValue, in: &contexts), nodeIndex: index(artifact.rawValue, in: &artifacts)))
        }
        var associationLinks: [IndexLink] = []
        for (execution, context) in associations {
            associationLinks.append(
                IndexLink(contextIndex: index(context.rawValue, in: &contexts), nodeIndex: index(execution.rawValue, in: &executions)))
        }
        let write = LineageWrite(
            artifacts: Self.references(artifacts), executions: Self.references(executions),
            contexts: Self.references(contexts), attributions: attributionLinks, associations: associationLinks)
        _ = try await self.write(write, namespace: namespace)
    }

    /// Makes `parent` a parent of `child`; idempotent. A link that would close a cycle is `alreadyExists`.
    public func addParent(_ parent: ContextID, to child: ContextID, namespace: String) async throws(ProvenanceError) {
        try await addParents([(parent, child)], namespace: namespace, rejectDuplicates: false)
    }

    /// Adds parent links, all in one transaction. A link to a missing context is `notFound`; a link that would
    /// close a cycle is `alreadyExists` with `details.reason` "cycle"; an existing link is left alone, or with
    /// `rejectDuplicates` (MLMD's PutParentContexts) is `alreadyExists`.
    ///
    /// Parent links of a namespace are serialized by an advisory lock so two concurrent links cannot together
    /// form a cycle that neither sees alone.
    public func addParents(
        _ links: [(parent: ContextID, child: ContextID)], namespace: String, rejectDuplicates: Bool
    ) async throws(ProvenanceError) {
        for (parent, child) in links where parent == child {
            throw .invalid("parent_id", "context \(child) cannot be its own parent")
        }
        let namespaceID = try await namespaceID(namespace)
        try await perform { [self] connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await connection.query(
                    "SELECT pg_advisory_xact_lock(\(Self.parentLinkLock), \(Int32(truncatingIfNeeded: namespaceID.rawValue)))",
                    logger: logger)
                for (parent, child) in links {
                    try await addParent(
                        parent, to: child, namespaceID: namespaceID, rejectDuplicate: rejectDuplicates, on: connection)
                }
            }
        }
    }

    private func addParent(
        _ parent: ContextID, to child: ContextID, namespaceID: NamespaceID, rejectDuplicate: Bool,
        on connection: PostgresConnection
    ) async throws {
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
                    .alreadyExists, "making context \(parent) a parent of \(child) would create a cycle",
                    details: ["reason": "cycle"])
            }
        }
        let inserted = try await connection.query(
            """
            INSERT INTO parent_contexts (child_id, parent_id) VALUES (\(child.rawValue), \(parent.rawValue))
            ON CONFLICT DO NOTHING RETURNING child_id
            """, logger: logger)
        var added = false
        for try await _ in inserted { added = true }
        if rejectDuplicate && !added {
            throw ProvenanceError(.alreadyExists, "context \(parent) is already a parent of context \(child)")
        }
    }

    /// The advisory lock class serializing parent-context links (the second key is the namespace).
    static let parentLinkLock: Int32 = 0x5052_4E43
}
