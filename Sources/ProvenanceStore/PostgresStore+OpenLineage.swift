import PostgresNIO
import ProvenanceCore

/// What an OpenLineage write did.
public struct OpenLineageIngest: Sendable, Equatable {
    /// Events received.
    public var received: Int
    /// Events written: new ones (the others were replays of events already kept, and wrote nothing).
    public var written: Int

    /// Creates a result.
    public init(received: Int, written: Int) {
        self.received = received
        self.written = written
    }
}

extension PostgresStore {
    /// Writes OpenLineage events (already mapped to records, their namespaces existing) in one transaction: each new
    /// event is kept, and its jobs, runs, datasets, events and links are written by one statement; an event kept
    /// before (the same digest) writes nothing, so replays are harmless.
    public func ingestOpenLineage(_ records: [OpenLineageRecord]) async throws(ProvenanceError) -> OpenLineageIngest {
        var seen = Set<String>()
        let distinct = records.filter { seen.insert($0.digest).inserted }
        var namespaceIDs: [String: Int64] = [:]
        var types: [Int64: OpenLineageTypes] = [:]
        for record in distinct {
            if namespaceIDs[record.namespace] == nil {
                namespaceIDs[record.namespace] = try await namespaceID(record.namespace).rawValue
            }
            let namespaceID = namespaceIDs[record.namespace]!
            if types[namespaceID] == nil { types[namespaceID] = try await openLineageTypes(record.namespace) }
            if let job = record.job, types[namespaceID]?.runs[job.name] == nil, record.run != nil {
                let type = try await openLineageType(NodeType(kind: .execution, name: job.name), namespace: record.namespace)
                types[namespaceID]?.runs[job.name] = type.id.rawValue
            }
        }
        let ids = namespaceIDs
        let resolvedTypes = types
        // Every insert is an upsert, so a unique violation means a concurrent request made the same job, run or
        // dataset version first (between this statement's check and its insert): run again, it finds the row.
        var attempt = 1
        while true {
            do {
                let written: Int = try await transaction { [self] connection in
                    let fresh = try await keepEvents(distinct, namespaceIDs: ids, on: connection)
                    guard !fresh.isEmpty else { return 0 }
                    let records = distinct.filter { fresh.contains($0.digest) }
                    let current = try await currentVersions(
                        OpenLineageWriteColumns.datasetKeys(records, namespaceIDs: ids), on: connection)
                    let columns = OpenLineageWriteColumns(
                        records, namespaceIDs: ids, types: resolvedTypes, currentVersions: current)
                    // The statement joins only its own inputs and what its inserts return, which the planner
                    // takes for a row each: as nested loops, 100 events cost seconds; hashed, milliseconds.
                    try await connection.query("SET LOCAL enable_nestloop = off", logger: logger)
                    try await connection.query(Self.openLineageStatement(columns), logger: logger)
                    return fresh.count
                }
                return OpenLineageIngest(received: records.count, written: written)
            } catch where error.code == .alreadyExists && attempt < Self.writeAttempts {
                attempt += 1
            }
        }
    }

    /// A type OpenLineage records under, made if missing; a concurrent request making the same one is no error.
    private func openLineageType(_ type: NodeType, namespace: String) async throws(ProvenanceError) -> NodeType {
        do {
            return try await engineType(type, namespace: namespace)
        } catch {
            guard error.code == .alreadyExists else { throw error }
            return try await engineType(type, namespace: namespace)
        }
    }

    /// The types of one namespace's OpenLineage nodes, made if missing.
    private func openLineageTypes(_ namespace: String) async throws(ProvenanceError) -> OpenLineageTypes {
        let job = try await openLineageType(NodeType(kind: .context, name: OpenLineageRecord.jobContextType), namespace: namespace)
        let parentRun = try await openLineageType(
            NodeType(kind: .context, name: OpenLineageRecord.parentRunContextType), namespace: namespace)
        let dataset = try await openLineageType(
            NodeType(kind: .artifact, name: OpenLineageRecord.datasetArtifactType, baseType: "DATASET"), namespace: namespace)
        return OpenLineageTypes(job: job.id.rawValue, parentRun: parentRun.id.rawValue, dataset: dataset.id.rawValue, runs: [:])
    }

    /// The current version of each of `keys` that exists.
    private func currentVersions(_ keys: Set<OpenLineageWriteColumns.DatasetKey>, on connection: PostgresConnection)
        async throws -> [OpenLineageWriteColumns.DatasetKey: String]
    {
        guard !keys.isEmpty else { return [:] }
        let ordered = Array(keys)
        let rows = try await connection.query(
            """
            SELECT d.namespace_id, d.dataset_namespace, d.name, d.current_version
            FROM unnest(\(ordered.map(\.namespaceID))::int8[], \(ordered.map(\.namespace))::text[], \(ordered.map(\.name))::text[])
                AS k(namespace_id, dataset_namespace, name)
            JOIN openlineage_datasets d ON d.namespace_id = k.namespace_id AND d.dataset_namespace = k.dataset_namespace
                AND d.name = k.name
            WHERE d.current_version IS NOT NULL
            """, logger: logger)
        var versions: [OpenLineageWriteColumns.DatasetKey: String] = [:]
        for try await (namespaceID, namespace, name, version) in rows.decode((Int64, String, String, String).self) {
            versions[OpenLineageWriteColumns.DatasetKey(namespaceID: namespaceID, namespace: namespace, name: name)] = version
        }
        return versions
    }

    /// Keeps the events not kept before; returns the digests of those it kept.
    private func keepEvents(_ records: [OpenLineageRecord], namespaceIDs: [String: Int64], on connection: PostgresConnection)
        async throws -> Set<String>
    {
        let digest = records.map(\.digest)
        let namespace = records.map { namespaceIDs[$0.namespace] ?? 0 }
        let kind = records.map(\.event.kind.rawValue)
        var types = SQLArray<String>()
        var runID = SQLArray<String>()
        for record in records {
            types.append(record.event.eventType?.rawValue)
            runID.append(record.event.runID)
        }
        let time = records.map(\.event.eventTime)
        let body = records.map { JSONWriter.string($0.event.body) }
        let rows = try await connection.query(
            """
            INSERT INTO openlineage_events (digest, namespace_id, kind, event_type, run_id, event_time, body)
            SELECT d, n, k, t, r::uuid, timestamptz 'epoch' + us * interval '1 microsecond', b::jsonb
            FROM unnest(\(digest)::text[], \(namespace)::int8[], \(kind)::text[], \(types), \(runID), \(time)::int8[],
                        \(body)::text[]) AS e(d, n, k, t, r, us, b)
            ON CONFLICT (digest) DO NOTHING
            RETURNING digest
            """, logger: logger)
        var fresh = Set<String>()
        for try await digest in rows.decode(String.self) { fresh.insert(digest) }
        return fresh
    }
}
