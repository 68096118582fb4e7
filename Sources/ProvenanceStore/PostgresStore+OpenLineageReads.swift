import PostgresNIO
import ProvenanceCore

/// A page of OpenLineage jobs, datasets or runs, with how many there are in all.
public struct OpenLineagePage<Item: Sendable>: Sendable {
    /// The page's items.
    public var items: [Item]
    /// How many items the listing has in all.
    public var total: Int

    /// Creates a page.
    public init(items: [Item], total: Int) {
        self.items = items
        self.total = total
    }
}

extension PostgresStore {
    /// The most nodes one lineage read returns; the walk stops once past it.
    public static let openLineageNodeLimit = 20_000

    /// The job-level lineage around the node named by one of `candidates` (see `OpenLineageNodeName.candidates`):
    /// its upstream (what made it, as far back as `depth` jobs) and its downstream (what it reached, as far), with
    /// the edges of every job in it. Only nodes in namespaces `readable` covers are found.
    public func openLineageGraph(around candidates: [OpenLineageNodeName], depth: Int, readable: NamespaceScope)
        async throws(ProvenanceError) -> OpenLineageGraph
    {
        try await perform { [self] connection in
            let start = try await startNodes(candidates, readable: readable, on: connection)
            guard !start.jobs.isEmpty || !start.datasets.isEmpty else {
                throw ProvenanceError.notFound("no \(candidates[0].kind.rawValue) '\(candidates[0].nodeID)' (that you may read)")
            }
            var sql = SQLBuilder()
            let walk = OpenLineageWalk(
                jobs: sql.bind(start.jobs, as: "int8[]"), datasets: sql.bind(start.datasets, as: "int8[]"),
                hops: sql.bind(Int64(2 * depth), as: "int8"), cap: sql.bind(Int64(Self.openLineageNodeLimit), as: "int8"))
            sql.append("WITH RECURSIVE \(walk.cte("down", followingEdges: .downstream)),\n")
            sql.append("\(walk.cte("up", followingEdges: .upstream))\n")
            sql.append(
                """
                SELECT (SELECT seen_jobs FROM down ORDER BY hops DESC LIMIT 1) || (SELECT seen_jobs FROM up ORDER BY hops DESC LIMIT 1),
                       (SELECT seen_datasets FROM down ORDER BY hops DESC LIMIT 1) || (SELECT seen_datasets FROM up ORDER BY hops DESC LIMIT 1)
                """)
            let found = try await connection.query(sql.query, logger: logger)
            var jobs: [Int64] = []
            var datasets: [Int64] = []
            for try await (foundJobs, foundDatasets) in found.decode(([Int64], [Int64]).self) {
                jobs = Array(Set(foundJobs))
                datasets = Array(Set(foundDatasets))
            }
            let jobNodes = try await jobNodes(jobs, on: connection)
            let datasetNodes = try await datasetNodes(datasets, on: connection)
            let edges = try await jobEdges(jobs, on: connection)
            return OpenLineageGraph(nodes: jobNodes.map(\.node) + datasetNodes, edges: edges)
        }
    }

    /// The jobs of the OpenLineage namespace `namespace`, by name, with their edges.
    public func openLineageJobs(namespace: String, readable: NamespaceScope, limit: Int, offset: Int)
        async throws(ProvenanceError) -> (page: OpenLineagePage<OpenLineageGraphNode>, edges: [OpenLineageEdge])
    {
        let (all, names) = Self.scope(readable)
        return try await perform { [self] connection in
            let (ids, total) = try await pageOfIDs(
                """
                SELECT j.context_id, count(*) OVER () FROM openlineage_jobs j JOIN namespaces n ON n.id = j.namespace_id
                WHERE j.job_namespace = \(namespace) AND (\(all) OR n.name = ANY(\(names)))
                ORDER BY j.name, j.context_id LIMIT \(Int64(limit)) OFFSET \(Int64(offset))
                """, on: connection)
            let nodes = try await jobNodes(ids, on: connection).sorted { ($0.node.name.name, $0.id) < ($1.node.name.name, $1.id) }
            return (OpenLineagePage(items: nodes.map(\.node), total: total), try await jobEdges(ids, on: connection))
        }
    }

    /// The datasets of the OpenLineage namespace `namespace`, by name.
    public func openLineageDatasets(namespace: String, readable: NamespaceScope, limit: Int, offset: Int)
        async throws(ProvenanceError) -> OpenLineagePage<OpenLineageGraphNode>
    {
        let (all, names) = Self.scope(readable)
        return try await perform { [self] connection in
            let (ids, total) = try await pageOfIDs(
                """
                SELECT d.id, count(*) OVER () FROM openlineage_datasets d JOIN namespaces n ON n.id = d.namespace_id
                WHERE d.dataset_namespace = \(namespace) AND (\(all) OR n.name = ANY(\(names)))
                ORDER BY d.name, d.id LIMIT \(Int64(limit)) OFFSET \(Int64(offset))
                """, on: connection)
            let nodes = try await datasetNodes(ids, on: connection).sorted { $0.name.name < $1.name.name }
            return OpenLineagePage(items: nodes, total: total)
        }
    }

    /// The runs of the job `job` of the OpenLineage namespace `namespace`, newest first; nil when there is no
    /// such job (that the caller may read).
    public func openLineageRuns(namespace: String, job: String, readable: NamespaceScope, limit: Int, offset: Int)
        async throws(ProvenanceError) -> OpenLineagePage<OpenLineageRunSummary>
    {
        let (all, names) = Self.scope(readable)
        return try await perform { [self] connection in
            let jobs = try await connection.query(
                """
                SELECT j.context_id FROM openlineage_jobs j JOIN namespaces n ON n.id = j.namespace_id
                WHERE j.job_namespace = \(namespace) AND j.name = \(job) AND (\(all) OR n.name = ANY(\(names)))
                """, logger: logger)
            var contextID: Int64?
            for try await id in jobs.decode(Int64.self) { contextID = id }
            guard let contextID else { throw ProvenanceError.notFound("no job '\(job)' in namespace '\(namespace)' (that you may read)") }
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.runColumns), count(*) OVER ()
                FROM associations s JOIN executions r ON r.id = s.execution_id
                WHERE s.context_id = \(contextID) AND r.external_id IS NOT NULL
                ORDER BY r.id DESC LIMIT \(Int64(limit)) OFFSET \(Int64(offset))
                """, logger: logger)
            var runs: [OpenLineageRunSummary] = []
            var total = 0
            for try await row in rows {
                if let run = try Self.decodeRun(row, at: 0) { runs.append(run) }
                total = Int(try row.makeRandomAccess()[6].decode(Int64.self))
            }
            return OpenLineagePage(items: runs, total: total)
        }
    }

    /// The Provenance namespaces that hold the OpenLineage dataset `name` of `namespace`, by name.
    public func openLineageDatasetHomes(namespace: String, name: String) async throws(ProvenanceError) -> [String] {
        try await perform { [self] connection in
            let rows = try await connection.query(
                """
                SELECT n.name FROM openlineage_datasets d JOIN namespaces n ON n.id = d.namespace_id
                WHERE d.dataset_namespace = \(namespace) AND d.name = \(name) ORDER BY n.name
                """, logger: logger)
            var names: [String] = []
            for try await name in rows.decode(String.self) { names.append(name) }
            return names
        }
    }

    /// The ids of a listing's page and the listing's size, from a query of `(id, count(*) OVER ())` rows.
    private func pageOfIDs(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> (ids: [Int64], total: Int) {
        let rows = try await connection.query(query, logger: logger)
        var ids: [Int64] = []
        var total = 0
        for try await (id, count) in rows.decode((Int64, Int64).self) {
            ids.append(id)
            total = Int(count)
        }
        return (ids, total)
    }

    /// `(all, names)` binds for "n.name is readable under `scope`".
    private static func scope(_ scope: NamespaceScope) -> (Bool, [String]) {
        (scope.names == nil, scope.names ?? [])
    }

    /// The start of a walk: the nodes that exist among the candidate names and may be read.
    private func startNodes(_ candidates: [OpenLineageNodeName], readable: NamespaceScope, on connection: PostgresConnection)
        async throws -> (jobs: [Int64], datasets: [Int64])
    {
        let (all, names) = Self.scope(readable)
        let namespaces = candidates.map(\.namespace)
        let nodeNames = candidates.map(\.name)
        let table = candidates.first?.kind == .job ? "openlineage_jobs" : "openlineage_datasets"
        let key = candidates.first?.kind == .job ? "t.context_id" : "t.id"
        let column = candidates.first?.kind == .job ? "job_namespace" : "dataset_namespace"
        let rows = try await connection.query(
            """
            SELECT \(unescaped: key) FROM \(unescaped: table) t JOIN namespaces n ON n.id = t.namespace_id
            JOIN unnest(\(namespaces)::text[], \(nodeNames)::text[]) AS c(namespace, name)
                ON t.\(unescaped: column) = c.namespace AND t.name = c.name
            WHERE \(all) OR n.name = ANY(\(names))
            """, logger: logger)
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        return candidates.first?.kind == .job ? (ids, []) : ([], ids)
    }

    /// The columns of a run (an execution), as `decodeRun` reads them.
    private static let runColumns = """
        r.id, r.external_id, r.state, (extract(epoch FROM r.create_time) * 1000000)::int8,
        (extract(epoch FROM r.update_time) * 1000000)::int8, r.custom_properties::text
        """

    private static func decodeRun(_ row: PostgresRow, at offset: Int) throws -> OpenLineageRunSummary? {
        let columns = row.makeRandomAccess()
        guard let id = try columns[offset].decode(Int64?.self), let runID = try columns[offset + 1].decode(String?.self)
        else { return nil }
        let state = try columns[offset + 2].decode(Int16?.self).flatMap(ExecutionState.init(rawValue:)) ?? .unknown
        return OpenLineageRunSummary(
            runID: runID, executionID: id, state: state, createdAt: try columns[offset + 3].decode(Int64.self),
            updatedAt: try columns[offset + 4].decode(Int64.self),
            properties: try properties(try columns[offset + 5].decode(String.self), structsOnly: false))
    }

    /// Custom properties from their stored text: every value in its tagged form, or (`structsOnly`) the struct
    /// values themselves (the facets).
    private static func properties(_ text: String, structsOnly: Bool) throws -> [JSONMember] {
        try JSONParser.parse(text).objectMembers.compactMap { member in
            if structsOnly {
                guard case .object(let tagged) = member.value, tagged.count == 1, tagged[0].key == "struct" else { return nil }
                return JSONMember(key: member.key, value: tagged[0].value)
            }
            return JSONMember(key: member.key, value: member.value)
        }
    }

    private func jobNodes(_ ids: [Int64], on connection: PostgresConnection) async throws
        -> [(id: Int64, node: OpenLineageGraphNode)]
    {
        guard !ids.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT j.context_id, j.job_namespace, j.name, n.name, (extract(epoch FROM j.created_at) * 1000000)::int8,
                (extract(epoch FROM j.updated_at) * 1000000)::int8, \(unescaped: Self.runColumns), c.custom_properties::text
            FROM openlineage_jobs j JOIN namespaces n ON n.id = j.namespace_id
            JOIN contexts c ON c.id = j.context_id
            LEFT JOIN executions r ON r.id = j.latest_run_id
            WHERE j.context_id = ANY(\(ids))
            """, logger: logger)
        var nodes: [(id: Int64, node: OpenLineageGraphNode)] = []
        for try await row in rows {
            let columns = row.makeRandomAccess()
            let id = try columns[0].decode(Int64.self)
            let namespace = try columns[1].decode(String.self)
            let name = try columns[2].decode(String.self)
            let storedIn = try columns[3].decode(String.self)
            let created = try columns[4].decode(Int64.self)
            let updated = try columns[5].decode(Int64.self)
            nodes.append(
                (
                    id,
                    OpenLineageGraphNode(
                        name: OpenLineageNodeName(kind: .job, namespace: namespace, name: name), storedIn: storedIn,
                        nodeID: id, createdAt: created, updatedAt: updated, latestRun: try Self.decodeRun(row, at: 6),
                        facets: try Self.properties(try columns[12].decode(String.self), structsOnly: true))
                ))
        }
        return nodes
    }

    private func datasetNodes(_ ids: [Int64], on connection: PostgresConnection) async throws -> [OpenLineageGraphNode] {
        guard !ids.isEmpty else { return [] }
        let key = Self.datasetArtifactKey(
            namespace: "d.dataset_namespace", name: "d.name", version: "coalesce(d.current_version, '')")
        let rows = try await connection.query(
            """
            SELECT d.dataset_namespace, d.name, n.name, (extract(epoch FROM d.created_at) * 1000000)::int8,
                (extract(epoch FROM d.updated_at) * 1000000)::int8, d.current_version, a.id, a.custom_properties::text
            FROM openlineage_datasets d JOIN namespaces n ON n.id = d.namespace_id
            LEFT JOIN artifacts a ON a.namespace_id = d.namespace_id AND a.external_id = \(unescaped: key)
            WHERE d.id = ANY(\(ids))
            """, logger: logger)
        var nodes: [OpenLineageGraphNode] = []
        for try await (namespace, name, storedIn, created, updated, version, artifact, properties) in rows.decode(
            (String, String, String, Int64, Int64, String?, Int64?, String?).self)
        {
            nodes.append(
                OpenLineageGraphNode(
                    name: OpenLineageNodeName(kind: .dataset, namespace: namespace, name: name), storedIn: storedIn,
                    nodeID: artifact, createdAt: created, updatedAt: updated, currentVersion: version,
                    facets: try properties.map { try Self.properties($0, structsOnly: true) } ?? []))
        }
        return nodes
    }

    /// Every edge of the jobs `ids`.
    private func jobEdges(_ ids: [Int64], on connection: PostgresConnection) async throws -> [OpenLineageEdge] {
        guard !ids.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT j.job_namespace, j.name, d.dataset_namespace, d.name, e.direction
            FROM openlineage_edges e JOIN openlineage_jobs j ON j.context_id = e.job_id
            JOIN openlineage_datasets d ON d.id = e.dataset_id
            WHERE e.job_id = ANY(\(ids))
            ORDER BY j.job_namespace, j.name, e.direction, d.dataset_namespace, d.name
            """, logger: logger)
        var edges: [OpenLineageEdge] = []
        for try await (jobNamespace, job, datasetNamespace, dataset, direction) in rows.decode(
            (String, String, String, String, Int16).self)
        {
            edges.append(
                OpenLineageEdge(
                    job: OpenLineageNodeName(kind: .job, namespace: jobNamespace, name: job),
                    dataset: OpenLineageNodeName(kind: .dataset, namespace: datasetNamespace, name: dataset),
                    isOutput: direction == 1))
        }
        return edges
    }
}

/// One direction of the job-level lineage walk, as a recursive CTE over `openlineage_edges`: each level holds the
/// jobs and datasets reached for the first time, and every one seen so far, so each node is visited once, at its
/// nearest distance. The walk stops after `hops` edges, or once more than `cap` nodes are seen.
struct OpenLineageWalk {
    /// Which way the walk goes.
    enum Direction {
        /// To the jobs that read a dataset, and the datasets a job writes.
        case downstream
        /// To the jobs that write a dataset, and the datasets a job reads.
        case upstream

        /// The edge direction (0 read, 1 written) followed from datasets to jobs, and from jobs to datasets.
        var steps: (toJobs: Int, toDatasets: Int) { self == .downstream ? (0, 1) : (1, 0) }
    }

    /// Placeholders of the start's jobs and datasets, the most hops and the node cap.
    let jobs: String
    let datasets: String
    let hops: String
    let cap: String

    /// The CTE `name(hops, jobs, datasets, seen_jobs, seen_datasets)` walking `direction`.
    func cte(_ name: String, followingEdges direction: Direction) -> String {
        let steps = direction.steps
        return """
            \(name)(hops, jobs, datasets, seen_jobs, seen_datasets) AS (
                SELECT 0::int8, \(jobs), \(datasets), \(jobs), \(datasets)
                UNION ALL
                SELECT w.hops + 1, nj.ids, nd.ids, w.seen_jobs || nj.ids, w.seen_datasets || nd.ids
                FROM \(name) w,
                LATERAL (SELECT coalesce(array_agg(DISTINCT e.job_id), '{}') AS ids FROM openlineage_edges e
                         WHERE e.dataset_id = ANY(w.datasets) AND e.direction = \(steps.toJobs)
                           AND NOT e.job_id = ANY(w.seen_jobs)) nj,
                LATERAL (SELECT coalesce(array_agg(DISTINCT e.dataset_id), '{}') AS ids FROM openlineage_edges e
                         WHERE e.job_id = ANY(w.jobs) AND e.direction = \(steps.toDatasets)
                           AND NOT e.dataset_id = ANY(w.seen_datasets)) nd
                WHERE w.hops < \(hops) AND cardinality(w.jobs) + cardinality(w.datasets) > 0
                    AND cardinality(w.seen_jobs) + cardinality(w.seen_datasets) <= \(cap)
            )
            """
    }
}
