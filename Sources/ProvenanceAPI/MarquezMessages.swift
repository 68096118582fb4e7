import ProvenanceCore

/// Marquez's JSON shapes, for tools that read lineage from Marquez's API (its web UI, its clients): the lineage
/// graph, jobs, datasets and runs. Each job and dataset also carries a `provenance` member (where it is stored
/// here: namespace and node id), which Marquez's readers ignore and ours follow.
public enum WireMarquez {
    /// `GET /api/v1/lineage`: `{"graph": [{id, type, data, inEdges, outEdges}]}`.
    public static func lineage(_ graph: OpenLineageGraph) -> JSON {
        let present = Set(graph.nodes.map(\.name))
        let edges = graph.edges.filter { present.contains($0.job) && present.contains($0.dataset) }
        var incoming: [OpenLineageNodeName: [JSON]] = [:]
        var outgoing: [OpenLineageNodeName: [JSON]] = [:]
        for edge in edges {
            let (origin, destination) = edge.isOutput ? (edge.job, edge.dataset) : (edge.dataset, edge.job)
            let json: JSON = ["origin": .string(origin.nodeID), "destination": .string(destination.nodeID)]
            outgoing[origin, default: []].append(json)
            incoming[destination, default: []].append(json)
        }
        let byJob = Dictionary(grouping: graph.edges, by: \.job)
        let nodes = graph.nodes.sorted { ($0.name.kind.rawValue, $0.name.nodeID) < ($1.name.kind.rawValue, $1.name.nodeID) }
        return [
            "graph": .array(
                nodes.map { node in
                    [
                        "id": .string(node.name.nodeID), "type": .string(node.name.kind == .job ? "JOB" : "DATASET"),
                        "data": node.name.kind == .job ? job(node, edges: byJob[node.name] ?? []) : dataset(node),
                        "inEdges": .array(incoming[node.name] ?? []), "outEdges": .array(outgoing[node.name] ?? []),
                    ]
                })
        ]
    }

    /// `GET /api/v1/namespaces/{namespace}/jobs`: `{"jobs": [...], "totalCount": n}`.
    public static func jobs(_ jobs: [OpenLineageGraphNode], edges: [OpenLineageEdge], total: Int) -> JSON {
        let byJob = Dictionary(grouping: edges, by: \.job)
        return ["jobs": .array(jobs.map { job($0, edges: byJob[$0.name] ?? []) }), "totalCount": .int(Int64(total))]
    }

    /// `GET /api/v1/namespaces/{namespace}/datasets`: `{"datasets": [...], "totalCount": n}`.
    public static func datasets(_ datasets: [OpenLineageGraphNode], total: Int) -> JSON {
        ["datasets": .array(datasets.map(dataset)), "totalCount": .int(Int64(total))]
    }

    /// `GET /api/v1/namespaces/{namespace}/jobs/{job}/runs`: `{"runs": [...], "totalCount": n}`.
    public static func runs(_ runs: [OpenLineageRunSummary], total: Int) -> JSON {
        ["runs": .array(runs.map(run)), "totalCount": .int(Int64(total))]
    }

    /// A job as Marquez shows it.
    static func job(_ node: OpenLineageGraphNode, edges: [OpenLineageEdge]) -> JSON {
        func names(_ output: Bool) -> JSON {
            .array(
                edges.filter { $0.isOutput == output }.map {
                    ["namespace": .string($0.dataset.namespace), "name": .string($0.dataset.name)]
                })
        }
        let name = node.name.name
        let facets = JSON.object(node.facets.map { (key: $0.key, value: $0.value) })
        return [
            "id": ["namespace": .string(node.name.namespace), "name": .string(name)],
            "type": facets["jobType"]?["processingType"] ?? "BATCH",
            "name": .string(name), "simpleName": .string(String(name.split(separator: ".").last ?? Substring(name))),
            "parentJobName": .null, "createdAt": time(node.createdAt), "updatedAt": time(node.updatedAt),
            "namespace": .string(node.name.namespace), "inputs": names(false), "outputs": names(true),
            "location": facets["sourceCodeLocation"]?["url"] ?? .null,
            "description": facets["documentation"]?["description"] ?? .null,
            "latestRun": node.latestRun.map(run) ?? .null, "facets": facets,
            "provenance": provenance(node, key: "context_id"),
        ]
    }

    /// A dataset as Marquez shows it: its fields from the current version's `schema` facet.
    static func dataset(_ node: OpenLineageGraphNode) -> JSON {
        let facets = JSON.object(node.facets.map { (key: $0.key, value: $0.value) })
        var fields: [JSON] = []
        for field in facets["schema"]?["fields"]?.arrayValue ?? [] {
            fields.append([
                "name": field["name"] ?? .null, "type": field["type"] ?? .null, "tags": [],
                "description": field["description"] ?? .null,
            ])
        }
        return [
            "id": ["namespace": .string(node.name.namespace), "name": .string(node.name.name)], "type": "DB_TABLE",
            "name": .string(node.name.name), "physicalName": .string(node.name.name), "createdAt": time(node.createdAt),
            "updatedAt": time(node.updatedAt), "namespace": .string(node.name.namespace),
            "sourceName": facets["dataSource"]?["name"] ?? .string(node.name.namespace), "fields": .array(fields),
            "tags": [], "lastModifiedAt": time(node.updatedAt), "description": .null, "facets": facets,
            "currentVersion": node.currentVersion.map(JSON.string) ?? .null,
            "provenance": provenance(node, key: "artifact_id"),
        ]
    }

    /// A run as Marquez shows it.
    static func run(_ run: OpenLineageRunSummary) -> JSON {
        let properties = JSON.object(run.properties.map { (key: $0.key, value: $0.value) })
        let nominal = properties["nominalTime"]?["struct"]
        let started = properties["started_at"]?["string"]
        let ended = properties["ended_at"]?["string"]
        var duration = JSON.null
        if let start = started?.stringValue, let end = ended?.stringValue,
            let from = try? RFC3339Time.microseconds(start, field: ""),
            let to = try? RFC3339Time.microseconds(end, field: "")
        {
            duration = .int((to - from) / 1000)
        }
        let facets = JSON.object(
            run.properties.compactMap { member in
                guard let value = member.value["struct"] else { return nil }
                return (key: member.key, value: value)
            })
        return [
            "id": .string(run.runID), "createdAt": time(run.createdAt), "updatedAt": time(run.updatedAt),
            "nominalStartTime": nominal?["nominalStartTime"] ?? .null, "nominalEndTime": nominal?["nominalEndTime"] ?? .null,
            "state": .string(state(run.state)), "startedAt": started ?? .null, "endedAt": ended ?? .null,
            "durationMs": duration, "args": [:], "facets": facets,
            "provenance": ["execution_id": .int(run.executionID)],
        ]
    }

    /// Marquez's run states.
    static func state(_ state: ExecutionState) -> String {
        switch state {
        case .running: "RUNNING"
        case .complete, .cached: "COMPLETED"
        case .failed: "FAILED"
        case .canceled: "ABORTED"
        case .unknown, .new: "NEW"
        }
    }

    private static func time(_ microseconds: Int64) -> JSON {
        .string(RFC3339Time.text(microseconds: microseconds))
    }

    private static func provenance(_ node: OpenLineageGraphNode, key: String) -> JSON {
        .object([(key: "namespace", value: .string(node.storedIn)), (key: key, value: node.nodeID.map(JSON.int) ?? .null)])
    }
}
