import PostgresNIO
import ProvenanceCore

/// One request's events, with the ids of the namespaces and types they land in, as the batcher carries them.
struct OpenLineageBatchItem: Sendable {
    var records: [OpenLineageRecord]
    var namespaceIDs: [String: Int64]
    var types: [Int64: OpenLineageTypes]
}

/// The OpenLineage statements that run as prepared statements (see `PreparedQueryName`).
enum OpenLineageSQL {
    enum KeepEvents: PreparedQueryName { static let name = "openlineage_keep_events" }
    enum CurrentVersions: PreparedQueryName { static let name = "openlineage_current_versions" }
    enum Write: PreparedQueryName { static let name = "openlineage_write" }
}

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
    /// before (the same digest) writes nothing, so replays are harmless. Requests that arrive while another's
    /// transaction runs share the next one (`openLineageBatcher`): a client sending one event a request costs the
    /// database little more than one sending batches.
    public func ingestOpenLineage(_ records: [OpenLineageRecord]) async throws(ProvenanceError) -> OpenLineageIngest {
        var item = OpenLineageBatchItem(records: records, namespaceIDs: [:], types: [:])
        for record in records {
            if item.namespaceIDs[record.namespace] == nil {
                item.namespaceIDs[record.namespace] = try await namespaceID(record.namespace).rawValue
            }
            let namespaceID = item.namespaceIDs[record.namespace]!
            if item.types[namespaceID] == nil { item.types[namespaceID] = try await openLineageTypes(record.namespace) }
            if let job = record.job, item.types[namespaceID]?.runs[job.name] == nil, record.run != nil {
                let type = try await openLineageType(NodeType(kind: .execution, name: job.name), namespace: record.namespace)
                item.types[namespaceID]?.runs[job.name] = type.id.rawValue
            }
        }
        return try await openLineageBatcher.run(item) { [self] items throws(ProvenanceError) in
            try await ingest(items)
        }
    }

    /// Writes several requests' events in one transaction; the first of each digest counts for its request.
    private func ingest(_ items: [OpenLineageBatchItem]) async throws(ProvenanceError)
        -> [Result<OpenLineageIngest, ProvenanceError>]
    {
        var namespaceIDs: [String: Int64] = [:]
        var types: [Int64: OpenLineageTypes] = [:]
        var owner: [String: Int] = [:]
        var distinct: [OpenLineageRecord] = []
        for (index, item) in items.enumerated() {
            namespaceIDs.merge(item.namespaceIDs) { known, _ in known }
            types.merge(item.types) { known, other in
                var merged = known
                merged.runs.merge(other.runs) { type, _ in type }
                return merged
            }
            for record in item.records where owner[record.digest] == nil {
                owner[record.digest] = index
                distinct.append(record)
            }
        }
        let (ids, resolvedTypes, records) = (namespaceIDs, types, distinct)
        // Every insert is an upsert, so a unique violation means a concurrent request made the same job, run or
        // dataset version first (between this statement's check and its insert): run again, it finds the row.
        var attempt = 1
        var fresh = Set<String>()
        while true {
            do {
                fresh = try await transaction { [self] connection in
                    let fresh = try await keepEvents(records, namespaceIDs: ids, on: connection)
                    guard !fresh.isEmpty else { return fresh }
                    let written = records.filter { fresh.contains($0.digest) }
                    let current = try await currentVersions(
                        OpenLineageWriteColumns.datasetKeys(written, namespaceIDs: ids), on: connection)
                    let columns = OpenLineageWriteColumns(
                        written, namespaceIDs: ids, types: resolvedTypes, currentVersions: current)
                    // The statement joins only its own inputs and what its inserts return, which the planner
                    // takes for a row each: as nested loops, 100 events cost seconds; hashed, milliseconds.
                    try await connection.query("SET LOCAL enable_nestloop = off", logger: logger)
                    let done = try await connection.prepared(
                        OpenLineageSQL.Write.self, Self.openLineageStatement(columns), logger: logger)
                    for try await _ in done {}
                    return fresh
                }
                break
            } catch where error.code == .alreadyExists && attempt < Self.writeAttempts {
                attempt += 1
            }
        }
        var written = Array(repeating: 0, count: items.count)
        for digest in fresh { if let index = owner[digest] { written[index] += 1 } }
        return items.indices.map { .success(OpenLineageIngest(received: items[$0].records.count, written: written[$0])) }
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
        let rows = try await connection.prepared(
            OpenLineageSQL.CurrentVersions.self,
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
        let rows = try await connection.prepared(
            OpenLineageSQL.KeepEvents.self,
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
