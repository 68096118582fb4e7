import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Creates or replaces resource template `template.name` (the same template again changes nothing); runs
    /// submitted afterwards take the new numbers. Recorded in the audit log as `actor`'s; returns whether it
    /// changed and whether it was made.
    public func applyResourceTemplate(_ template: ResourceTemplate, namespace: String, actor: AuditActor)
        async throws(ProvenanceError) -> (changed: Bool, created: Bool)
    {
        let namespaceID = try await namespaceID(namespace)
        let specText = JSONWriter.string(template.json)
        return try await transaction { [self] connection in
            var revision: Int64 = 0
            var same = false
            for try await (existing, stored) in try await connection.query(
                """
                SELECT spec::text, revision FROM resource_templates WHERE namespace_id = \(namespaceID) AND name = \(template.name) FOR UPDATE
                """, logger: logger
            ).decode((String, Int64).self) {
                revision = stored
                same = JSONWriter.string(try JSONParser.parse(existing)) == specText
            }
            if same { return (false, false) }
            try await connection.query(
                """
                INSERT INTO resource_templates (namespace_id, name, spec) VALUES (\(namespaceID), \(template.name), \(specText)::jsonb)
                ON CONFLICT (namespace_id, name) DO UPDATE SET spec = excluded.spec, revision = resource_templates.revision + 1,
                    update_time = now()
                """, logger: logger)
            try await Self.appendAudit(
                connection, actor: actor, action: "resource_template.apply", namespaces: .only([namespace]),
                target: "resource template \(template.name)", details: template.json, logger: logger)
            return (true, revision == 0)
        }
    }

    /// The resource templates of `namespace` (of `names` only, when given), by name.
    public func resourceTemplates(namespace: String, names: Set<String>? = nil) async throws(ProvenanceError) -> [ResourceTemplate] {
        try await resourceTemplates(namespaceID: try await namespaceID(namespace), names: names)
    }

    func resourceTemplates(namespaceID: NamespaceID, names: Set<String>?) async throws(ProvenanceError) -> [ResourceTemplate] {
        let wanted = names.map { Array($0).sorted() }
        return try await perform { [self] connection in
            var templates: [ResourceTemplate] = []
            for try await text in try await connection.query(
                """
                SELECT spec::text FROM resource_templates
                WHERE namespace_id = \(namespaceID) AND (\(wanted == nil) OR name = ANY(\(wanted ?? [])::text[]))
                ORDER BY name
                """, logger: logger
            ).decode(String.self) { templates.append(try ResourceTemplate(json: try JSONParser.parse(text))) }
            return templates
        }
    }

    /// Deletes resource template `name`; runs of components that name it fail to submit until it exists again.
    public func deleteResourceTemplate(_ name: String, namespace: String, actor: AuditActor) async throws(ProvenanceError) {
        let namespaceID = try await namespaceID(namespace)
        try await transaction { [self] connection in
            let rows = try await connection.query(
                "DELETE FROM resource_templates WHERE namespace_id = \(namespaceID) AND name = \(name) RETURNING id", logger: logger)
            guard try await rows.decode(Int64.self).first(where: { _ in true }) != nil else {
                throw ProvenanceError.notFound("resource template \(name) not found")
            }
            try await Self.appendAudit(
                connection, actor: actor, action: "resource_template.delete", namespaces: .only([namespace]),
                target: "resource template \(name)", logger: logger)
        }
    }

    /// The templates a run's plan needs (those its components name, and the layers' swaps of them), by name.
    func templatesForPlan(_ components: [ComponentReference: ComponentSpec], swaps: [String: String], namespaceID: NamespaceID)
        async throws(ProvenanceError) -> [String: ResourceTemplate]
    {
        let named = RunPlan.templateNames(components)
        guard !named.isEmpty else { return [:] }
        let wanted = named.union(named.compactMap { swaps[$0] })
        let templates = try await resourceTemplates(namespaceID: namespaceID, names: wanted)
        return Dictionary(uniqueKeysWithValues: templates.map { ($0.name, $0) })
    }
}
