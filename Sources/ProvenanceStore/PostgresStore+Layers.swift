import PostgresNIO
import ProvenanceCore

/// A configuration layer as stored.
public struct StoredLayer: Sendable, Equatable {
    public var layer: ConfigurationLayer
    public var revision: Int64
    public var createTime: Int64
    public var updateTime: Int64
}

extension PostgresStore {
    /// Creates or replaces layer `layer.name`; the same layer again changes nothing. A layer at the level and value
    /// of another that could apply to the same runs (the same pipeline, or either for all) is refused (409). Layer
    /// writes of a namespace take turns (its row is locked), so two overlapping layers cannot both be written.
    /// Recorded in the audit log as `actor`'s; returns the layer and whether it changed.
    public func applyLayer(_ layer: ConfigurationLayer, namespace: String, actor: AuditActor) async throws(ProvenanceError)
        -> (layer: StoredLayer, changed: Bool)
    {
        let namespaceID = try await namespaceID(namespace)
        let specText = JSONWriter.string(layer.json)
        let changed = try await transaction { [self] connection in
            try await connection.query("SELECT id FROM namespaces WHERE id = \(namespaceID) FOR UPDATE", logger: logger)
            let rows = try await connection.query(
                """
                SELECT spec::text FROM configuration_layers
                WHERE namespace_id = \(namespaceID) AND (name = \(layer.name) OR (level = \(layer.level.rawValue) AND value IS NOT DISTINCT FROM \(layer.value)))
                """, logger: logger)
            var same = false
            for try await text in rows.decode(String.self) {
                let other = try ConfigurationLayer(json: try JSONParser.parse(text))
                if other.name == layer.name { same = JSONWriter.string(other.json) == specText }
                if layer.overlaps(other) {
                    throw ProvenanceError(
                        .alreadyExists,
                        "layer \(other.name) already applies at \(other.level.rawValue) to \(other.scope): two layers at one level for one label would leave which one wins to chance",
                        details: ["field": "value", "layer": .string(other.name)])
                }
            }
            if same { return false }
            try await connection.query(
                """
                INSERT INTO configuration_layers (namespace_id, name, level, value, pipeline, spec)
                VALUES (\(namespaceID), \(layer.name), \(layer.level.rawValue), \(layer.value), \(layer.pipeline), \(specText)::jsonb)
                ON CONFLICT (namespace_id, name) DO UPDATE SET level = excluded.level, value = excluded.value,
                    pipeline = excluded.pipeline, spec = excluded.spec, revision = configuration_layers.revision + 1, update_time = now()
                """, logger: logger)
            try await Self.appendAudit(
                connection, actor: actor, action: "layer.apply", namespaces: .only([namespace]), target: "layer \(layer.name)",
                details: layer.json, logger: logger)
            return true
        }
        return (try await self.layer(layer.name, namespace: namespace), changed)
    }

    /// Layer `name`, or `notFound`.
    public func layer(_ name: String, namespace: String) async throws(ProvenanceError) -> StoredLayer {
        guard let found = try await layers(namespace: namespace).first(where: { $0.layer.name == name }) else {
            throw .notFound("layer \(name) not found")
        }
        return found
    }

    /// The layers of `namespace`, least specific first, then by name.
    public func layers(namespace: String) async throws(ProvenanceError) -> [StoredLayer] {
        let namespaceID = try await namespaceID(namespace)
        let stored = try await perform { [self] connection in
            var layers: [StoredLayer] = []
            let rows = try await connection.query(
                """
                SELECT spec::text, revision, \(unescaped: Self.microseconds("create_time")), \(unescaped: Self.microseconds("update_time"))
                FROM configuration_layers WHERE namespace_id = \(namespaceID) ORDER BY name
                """, logger: logger)
            for try await (spec, revision, created, updated) in rows.decode((String, Int64, Int64, Int64).self) {
                layers.append(StoredLayer(
                    layer: try ConfigurationLayer(json: try JSONParser.parse(spec)), revision: revision, createTime: created,
                    updateTime: updated))
            }
            return layers
        }
        return stored.sorted { ($0.layer.level, $0.layer.name) < ($1.layer.level, $1.layer.name) }
    }

    /// Deletes layer `name` (runs made with it keep what it gave them).
    public func deleteLayer(_ name: String, namespace: String, actor: AuditActor) async throws(ProvenanceError) {
        let namespaceID = try await namespaceID(namespace)
        try await transaction { [self] connection in
            let rows = try await connection.query(
                "DELETE FROM configuration_layers WHERE namespace_id = \(namespaceID) AND name = \(name) RETURNING id", logger: logger)
            guard try await rows.decode(Int64.self).first(where: { _ in true }) != nil else {
                throw ProvenanceError.notFound("layer \(name) not found")
            }
            try await Self.appendAudit(
                connection, actor: actor, action: "layer.delete", namespaces: .only([namespace]), target: "layer \(name)", logger: logger)
        }
    }

    /// The layers that could apply to a run of `pipeline` with `labels` (`ResolvedParameters` picks among them).
    func candidateLayers(namespaceID: NamespaceID, pipeline: String, labels: [String: String]) async throws(ProvenanceError)
        -> [ConfigurationLayer]
    {
        let labelText = Self.labelsText(labels)
        return try await perform { [self] connection in
            var layers: [ConfigurationLayer] = []
            let rows = try await connection.prepared(LayerSQL.Candidates.self,
                """
                SELECT spec::text FROM configuration_layers
                WHERE namespace_id = \(namespaceID) AND (pipeline IS NULL OR pipeline = \(pipeline))
                    AND (level = 'global' OR \(labelText)::jsonb ->> level = value)
                """, logger: logger)
            for try await text in rows.decode(String.self) { layers.append(try ConfigurationLayer(json: try JSONParser.parse(text))) }
            return layers
        }
    }
}

/// The names of the layers' prepared statements.
enum LayerSQL {
    enum Candidates: PreparedQueryName { static let name = "layer_candidates" }
}
