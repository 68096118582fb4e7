import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Appends an audit entry on `connection`, inside the transaction of the change it records, so the change and
    /// its record commit together or not at all.
    static func appendAudit(
        _ connection: PostgresConnection, actor: AuditActor, action: String, namespaces: NamespaceScope, target: String,
        details: JSON = .object([]), logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO audit_log (actor, actor_source, address, action, namespaces, target, details)
            VALUES (\(actor.name), \(actor.source), \(actor.address), \(action), \(namespaces.names)::text[], \(target),
                    \(JSONWriter.string(details))::jsonb)
            """, logger: logger)
    }

    /// Audit entries whose namespaces all lie within `scope`, newest first: at most `size`, older than `before`.
    public func auditEntries(visibleTo scope: NamespaceScope, size: Int, before: Int64?) async throws(ProvenanceError)
        -> Page<AuditEntry>
    {
        try await perform { [self] connection in
            let rows = try await connection.query(
                """
                SELECT id, \(unescaped: Self.microseconds("time")), actor, actor_source, address, action, namespaces,
                       target, details::text
                FROM audit_log
                WHERE (\(before)::int8 IS NULL OR id < \(before)::int8)
                    AND (\(scope.names)::text[] IS NULL OR (namespaces IS NOT NULL AND namespaces <@ \(scope.names)::text[]))
                ORDER BY id DESC
                LIMIT \(Int64(size + 1))
                """, logger: logger)
            var entries: [AuditEntry] = []
            for try await row in rows { entries.append(try AuditRow(row).entry) }
            let more = entries.count > size
            if more { entries.removeLast() }
            return Page(items: entries, next: more ? entries.last.map { PageCursor(value: $0.id, id: $0.id) } : nil)
        }
    }
}

/// One row of `auditEntries`' SELECT list.
private struct AuditRow {
    let entry: AuditEntry

    init(_ row: PostgresRow) throws {
        let (id, time, actor, source, address, action, namespaces, target, details) = try row.decode(
            (Int64, Int64, String, String, String?, String, [String]?, String, String).self)
        entry = AuditEntry(
            id: id, time: time, actor: AuditActor(name: actor, source: source, address: address), action: action,
            namespaces: namespaces.map { .only(Set($0)) } ?? .all, target: target, details: try JSONParser.parse(details))
    }
}
