import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Deletes node `id` of `kind` in `namespace`, as `actor`, in one transaction: its context links go (for a
    /// context, its links to nodes and to other contexts), its events stay, a tombstone records what it was, who
    /// deleted it and when, and the audit log records the delete. Cached task results that made or are the node
    /// are no longer reused. A node the engine still needs is refused (`failedPrecondition`): the execution of a
    /// running attempt, an output of a run that has not finished, the context of a pipeline or a run.
    public func deleteNode(_ kind: NodeKind, id: Int64, namespace: String, actor: AuditActor)
        async throws(ProvenanceError) -> Tombstone
    {
        let namespaceID = try await namespaceID(namespace)
        let tombstone = try await transaction { [self] connection in
            let table = NodeTable.name(kind)
            let rows = try await connection.query(
                """
                SELECT type_id, name, uri FROM \(unescaped: table)
                WHERE id = \(id) AND namespace_id = \(namespaceID.rawValue) FOR UPDATE
                """, logger: logger)
            var found: (Int64, String?, String?)?
            for try await row in rows.decode((Int64, String?, String?).self) { found = row }
            guard let (typeID, name, uri) = found else {
                throw try await Self.missing(kind, id: id, namespaceID: namespaceID, connection, logger: logger)
            }
            if let hold = try await Self.engineHold(kind, id: id, connection, logger: logger) {
                throw ProvenanceError(.failedPrecondition, "\(kind.rawValue) \(id) cannot be deleted: \(hold)")
            }
            try await Self.unlink(kind, id: id, connection, logger: logger)
            let inserted = try await connection.query(
                """
                INSERT INTO tombstones (kind, node_id, namespace_id, type_id, name, uri, deleted_by)
                VALUES (\(kind.rawValue), \(id), \(namespaceID.rawValue), \(typeID), \(name), \(uri), \(actor.name))
                RETURNING \(unescaped: Self.microseconds("delete_time"))
                """, logger: logger)
            var deleteTime: Int64 = 0
            for try await time in inserted.decode(Int64.self) { deleteTime = time }
            try await connection.query("DELETE FROM \(unescaped: table) WHERE id = \(id)", logger: logger)
            try await Self.appendAudit(
                connection, actor: actor, action: "\(kind.rawValue).delete", namespaces: .only([namespace]),
                target: "\(kind.rawValue) \(id)",
                details: ["type_id": .int(typeID), "name": name.map(JSON.string) ?? .null], logger: logger)
            return Tombstone(
                kind: kind, id: id, typeID: TypeID(typeID), name: name, uri: uri, deleteTime: deleteTime,
                deletedBy: actor.name)
        }
        tombstoneWatch.record(namespaceID.rawValue, holds: true)
        return tombstone
    }

    /// The tombstones of the nodes of `ids` (by kind) in namespace `namespaceID` that were deleted; no query at all
    /// where the namespace is known to hold none.
    func tombstones(_ ids: [NodeKind: [Int64]], namespaceID: NamespaceID) async throws(ProvenanceError) -> [Tombstone] {
        let wanted = ids.filter { !$0.value.isEmpty }
        guard !wanted.isEmpty else { return [] }
        let watch = tombstoneWatch
        return try await perform { [logger] connection in
            if watch.holds(namespaceID.rawValue) == nil {
                let rows = try await connection.query(
                    "SELECT EXISTS (SELECT 1 FROM tombstones WHERE namespace_id = \(namespaceID.rawValue))", logger: logger)
                var holds = false
                for try await value in rows.decode(Bool.self) { holds = value }
                watch.record(namespaceID.rawValue, holds: holds)
            }
            guard watch.holds(namespaceID.rawValue) == true else { return [] }
            var found: [Tombstone] = []
            for (kind, kindIDs) in wanted.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                let rows = try await connection.query(
                    """
                    SELECT node_id, type_id, name, uri, \(unescaped: Self.microseconds("delete_time")), deleted_by
                    FROM tombstones
                    WHERE kind = \(kind.rawValue) AND node_id = ANY(\(kindIDs)) AND namespace_id = \(namespaceID.rawValue)
                    ORDER BY node_id
                    """, logger: logger)
                for try await (id, typeID, name, uri, time, by) in rows.decode((Int64, Int64, String?, String?, Int64, String).self) {
                    found.append(Tombstone(
                        kind: kind, id: id, typeID: TypeID(typeID), name: name, uri: uri, deleteTime: time, deletedBy: by))
                }
            }
            return found
        }
    }

    /// The not-found error for node `id`: saying who deleted it and when, if it was.
    static func missing(
        _ kind: NodeKind, id: Int64, namespaceID: NamespaceID, _ connection: PostgresConnection, logger: Logger
    ) async throws -> ProvenanceError {
        let rows = try await connection.query(
            """
            SELECT deleted_by, to_char(delete_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') FROM tombstones
            WHERE kind = \(kind.rawValue) AND node_id = \(id) AND namespace_id = \(namespaceID.rawValue)
            """, logger: logger)
        for try await (by, time) in rows.decode((String, String).self) {
            return .notFound("\(kind.rawValue) \(id) was deleted by '\(by)' at \(time)")
        }
        return .notFound("\(kind.rawValue) \(id) not found")
    }

    /// Why the engine still needs node `id`, if it does.
    private static func engineHold(_ kind: NodeKind, id: Int64, _ connection: PostgresConnection, logger: Logger)
        async throws -> String?
    {
        let unfinished = RunState.allCases.filter { !$0.isFinal }.map(\.rawValue)
        let query: PostgresQuery
        switch kind {
        case .execution:
            query = """
                SELECT 'it records attempt ' || number || ' of task ' || task_id || ', which is still running'
                FROM attempts WHERE state = \(AttemptState.running.rawValue) AND execution_id = \(id) LIMIT 1
                """
        case .artifact:
            query = """
                SELECT 'it is an output of run ' || r.id || ', which has not finished'
                FROM task_outputs o JOIN tasks t ON t.id = o.task_id JOIN runs r ON r.id = t.run_id
                WHERE o.artifact_id = \(id) AND r.state = ANY(\(unfinished)) LIMIT 1
                """
        case .context:
            query = """
                SELECT 'it is the context of pipeline ''' || name || '''' FROM pipelines WHERE context_id = \(id)
                UNION ALL
                SELECT 'it is the context of run ' || id FROM runs WHERE context_id = \(id)
                LIMIT 1
                """
        }
        for try await reason in try await connection.query(query, logger: logger).decode(String.self) { return reason }
        return nil
    }

    /// Removes node `id`'s context links and stops reusing the cached task results it was part of.
    private static func unlink(_ kind: NodeKind, id: Int64, _ connection: PostgresConnection, logger: Logger) async throws {
        switch kind {
        case .artifact:
            try await connection.query("DELETE FROM attributions WHERE artifact_id = \(id)", logger: logger)
            try await connection.query(
                """
                UPDATE tasks SET fingerprint = NULL
                WHERE id IN (SELECT task_id FROM task_outputs WHERE artifact_id = \(id)) AND fingerprint IS NOT NULL
                """, logger: logger)
        case .execution:
            try await connection.query("DELETE FROM associations WHERE execution_id = \(id)", logger: logger)
            try await connection.query(
                "UPDATE tasks SET fingerprint = NULL WHERE execution_id = \(id) AND fingerprint IS NOT NULL", logger: logger)
        case .context:
            try await connection.query("DELETE FROM attributions WHERE context_id = \(id)", logger: logger)
            try await connection.query("DELETE FROM associations WHERE context_id = \(id)", logger: logger)
            try await connection.query(
                "DELETE FROM parent_contexts WHERE child_id = \(id) OR parent_id = \(id)", logger: logger)
        }
    }
}
