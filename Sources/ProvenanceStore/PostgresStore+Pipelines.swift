import PostgresNIO
import ProvenanceCore



extension PostgresStore {
    /// Stores a pipeline spec as a version of its pipeline: checked against the components it names (a 400 with the
    /// path of the first problem), stored under its digest (the same spec again is the same version, `created`
    /// false), with the pipeline's MLMD context made on first use.
    public func applyPipeline(_ spec: PipelineSpec, namespace: String) async throws(ProvenanceError)
        -> (version: StoredPipelineVersion, created: Bool)
    {
        let namespaceID = try await namespaceID(namespace)
        let references = Array(Set(spec.steps.map(\.component)))
        let components = try await self.components(references, namespaceID: namespaceID).mapValues(\.spec)
        try spec.validate(components: components)
        let contextID = try await pipelineContext(spec.name, namespace: namespace)
        let digest = PipelineMetadata.digest(spec)
        let text = JSONWriter.string(spec.json)
        let (pipelineID, versionID, created, createTime): (Int64, Int64, Bool, Int64) = try await perform { [self] connection in
            try await connection.withTransaction(logger: logger) { connection in
                var pipelineID: Int64 = 0
                for try await id in try await connection.query(
                    """
                    INSERT INTO pipelines (namespace_id, name, context_id)
                    VALUES (\(namespaceID.rawValue), \(spec.name), \(contextID.rawValue))
                    ON CONFLICT (namespace_id, name) DO UPDATE SET name = EXCLUDED.name
                    RETURNING id
                    """, logger: logger
                ).decode(Int64.self) { pipelineID = id }
                for try await (id, created) in try await connection.query(
                    """
                    INSERT INTO pipeline_versions (pipeline_id, digest, spec) VALUES (\(pipelineID), \(digest), \(text)::json)
                    ON CONFLICT (pipeline_id, digest) DO NOTHING
                    RETURNING id, \(unescaped: Self.microseconds("create_time"))
                    """, logger: logger
                ).decode((Int64, Int64).self) { return (pipelineID, id, true, created) }
                for try await (id, created) in try await connection.query(
                    """
                    SELECT id, \(unescaped: Self.microseconds("create_time")) FROM pipeline_versions
                    WHERE pipeline_id = \(pipelineID) AND digest = \(digest)
                    """, logger: logger
                ).decode((Int64, Int64).self) { return (pipelineID, id, false, created) }
                throw ProvenanceError(.internal, "a pipeline version was neither stored nor found")
            }
        }
        let version = StoredPipelineVersion(
            pipelineID: PipelineID(pipelineID), versionID: PipelineVersionID(versionID), digest: digest, spec: spec,
            contextID: contextID, createTime: createTime)
        return (version, created)
    }

    /// The MLMD Pipeline context of pipeline `name`, made (with its type) on first use.
    private func pipelineContext(_ name: String, namespace: String) async throws(ProvenanceError) -> ContextID {
        _ = try await putType(
            NodeType(kind: .context, name: PipelineMetadata.pipelineContextType), namespace: namespace,
            options: TypeEvolutionOptions(canOmitFields: true))
        let write = LineageWrite(
            contexts: [.create(NodeDraft(kind: .context, type: .name(PipelineMetadata.pipelineContextType, version: nil), name: name))],
            options: LineageWriteOptions(reuseContextIfAlreadyExists: true, reuseArtifactIfAlreadyExistsByExternalID: false))
        return try await self.write(write, namespace: namespace).contextIDs[0]
    }

    /// Version `digest` of pipeline `name` (its newest when nil), or `notFound`.
    public func pipelineVersion(_ name: String, digest: String?, namespace: String) async throws(ProvenanceError)
        -> StoredPipelineVersion
    {
        let namespaceID = try await namespaceID(namespace)
        let found = try await versionRows(
            StoreReadSQL.PipelineVersion.self,
            """
            SELECT p.id, v.id, v.digest, p.context_id, \(unescaped: Self.microseconds("v.create_time"))
            FROM pipelines p JOIN pipeline_versions v ON v.pipeline_id = p.id
            WHERE p.namespace_id = \(namespaceID.rawValue) AND p.name = \(name) AND (\(digest)::text IS NULL OR v.digest = \(digest))
            ORDER BY v.id DESC LIMIT 1
            """)
        guard let version = found.first else {
            throw .notFound(digest.map { "pipeline \(name) has no version \($0)" } ?? "pipeline \(name) not found")
        }
        return version
    }

    /// The versions of pipeline `name`, newest first.
    public func pipelineVersions(_ name: String, namespace: String) async throws(ProvenanceError) -> [StoredPipelineVersion] {
        let namespaceID = try await namespaceID(namespace)
        let versions = try await versionRows(
            StoreReadSQL.PipelineVersions.self,
            """
            SELECT p.id, v.id, v.digest, p.context_id, \(unescaped: Self.microseconds("v.create_time"))
            FROM pipelines p JOIN pipeline_versions v ON v.pipeline_id = p.id
            WHERE p.namespace_id = \(namespaceID.rawValue) AND p.name = \(name)
            ORDER BY v.id DESC
            """)
        guard !versions.isEmpty else { throw .notFound("pipeline \(name) not found") }
        return versions
    }

    /// The pipelines of `namespace`, by name, each with its newest version.
    public func listPipelines(namespace: String) async throws(ProvenanceError) -> [StoredPipeline] {
        let namespaceID = try await namespaceID(namespace)
        let rows: [(name: String, count: Int64)] = try await perform { [self] connection in
            var rows: [(name: String, count: Int64)] = []
            for try await (name, count) in try await connection.query(
                """
                SELECT p.name, count(v.id) FROM pipelines p JOIN pipeline_versions v ON v.pipeline_id = p.id
                WHERE p.namespace_id = \(namespaceID.rawValue) GROUP BY p.id, p.name ORDER BY p.name
                """, logger: logger
            ).decode((String, Int64).self) { rows.append((name, count)) }
            return rows
        }
        var pipelines: [StoredPipeline] = []
        for row in rows {
            let latest = try await pipelineVersion(row.name, digest: nil, namespace: namespace)
            pipelines.append(StoredPipeline(name: row.name, latest: latest, versionCount: Int(row.count)))
        }
        return pipelines
    }

    /// The versions `query` selects (pipeline id, version id, digest, context id, creation time), each with its
    /// spec: parsed once per server (versions never change), read only when not parsed yet.
    private func versionRows<Name: PreparedQueryName>(
        _ statement: Name.Type, _ query: PostgresQuery, name: String = #function
    ) async throws(ProvenanceError) -> [StoredPipelineVersion] {
        typealias Row = (Int64, Int64, String, Int64, Int64)
        let rows: [Row] = try await perform(name: name) { [self] connection in
            var rows: [Row] = []
            for try await row in try await connection.prepared(statement, query, logger: logger) {
                rows.append(try row.decode(Row.self))
            }
            return rows
        }
        let missing = rows.map(\.1).filter { pipelineSpecs.cached($0) == nil }
        if !missing.isEmpty {
            let texts: [(Int64, String)] = try await perform(name: name) { [self] connection in
                var texts: [(Int64, String)] = []
                for try await row in try await connection.query(
                    "SELECT id, spec::text FROM pipeline_versions WHERE id = ANY(\(missing))", logger: logger
                ).decode((Int64, String).self) { texts.append(row) }
                return texts
            }
            for (id, text) in texts {
                _ = try Self.storedSpec { () throws(ProvenanceError) in
                    try pipelineSpecs.spec(id: id, text: text, parse: PipelineSpec.init(json:))
                }
            }
        }
        return try rows.map { pipelineID, versionID, digest, contextID, created throws(ProvenanceError) in
            guard let spec = pipelineSpecs.cached(versionID) else {
                throw ProvenanceError(.aborted, "pipeline version \(versionID) changed while it was read; retry")
            }
            return StoredPipelineVersion(
                pipelineID: PipelineID(pipelineID), versionID: PipelineVersionID(versionID), digest: digest, spec: spec,
                contextID: ContextID(contextID), createTime: created)
        }
    }
}
