/// A job or dataset named as Marquez names them: `job:NAMESPACE:NAME`, `dataset:NAMESPACE:NAME`.
public struct OpenLineageNodeName: Sendable, Hashable {
    /// Jobs and datasets.
    public enum Kind: String, Sendable {
        case job, dataset
    }

    /// What the node is.
    public var kind: Kind
    /// Its OpenLineage namespace.
    public var namespace: String
    /// Its name.
    public var name: String

    /// Creates a name.
    public init(kind: Kind, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// The Marquez node id.
    public var nodeID: String { "\(kind.rawValue):\(namespace):\(name)" }

    /// Reads a Marquez node id. Namespaces hold colons of their own (`postgres://db:5432`), so the id is ambiguous
    /// as text: every split of what follows the kind is a candidate, and the store takes the one that exists.
    public static func candidates(_ nodeID: String, field: String) throws(ProvenanceError) -> [OpenLineageNodeName] {
        guard let colon = nodeID.firstIndex(of: ":"), let kind = Kind(rawValue: String(nodeID[..<colon])) else {
            throw .invalid(field, "'\(nodeID.prefix(200))' is not a node id: expected job:NAMESPACE:NAME or dataset:NAMESPACE:NAME")
        }
        let rest = nodeID[nodeID.index(after: colon)...]
        let result = rest.indices.filter { rest[$0] == ":" }.compactMap { split -> OpenLineageNodeName? in
            let namespace = String(rest[..<split])
            let name = String(rest[rest.index(after: split)...])
            guard !namespace.isEmpty, !name.isEmpty else { return nil }
            return OpenLineageNodeName(kind: kind, namespace: namespace, name: name)
        }
        guard !result.isEmpty else {
            throw .invalid(field, "'\(nodeID.prefix(200))' names no namespace and name: expected \(kind.rawValue):NAMESPACE:NAME")
        }
        return result
    }
}

/// The job-level lineage graph around a node, as Marquez's lineage read returns it: jobs and datasets, and which
/// datasets each job reads and writes.
public struct OpenLineageGraph: Sendable {
    /// The nodes reached.
    public var nodes: [OpenLineageGraphNode]
    /// Edges between nodes of the graph.
    public var edges: [OpenLineageEdge]

    /// Creates a graph.
    public init(nodes: [OpenLineageGraphNode], edges: [OpenLineageEdge]) {
        self.nodes = nodes
        self.edges = edges
    }
}

/// A job reading (`isOutput` false) or writing a dataset, by the nodes' names.
public struct OpenLineageEdge: Sendable, Hashable {
    /// The job.
    public var job: OpenLineageNodeName
    /// The dataset.
    public var dataset: OpenLineageNodeName
    /// Whether the job writes the dataset (else reads it).
    public var isOutput: Bool

    /// Creates an edge.
    public init(job: OpenLineageNodeName, dataset: OpenLineageNodeName, isOutput: Bool) {
        self.job = job
        self.dataset = dataset
        self.isOutput = isOutput
    }
}

/// A node of the job-level graph, with what Marquez's views show of it.
public struct OpenLineageGraphNode: Sendable {
    /// The node's name.
    public var name: OpenLineageNodeName
    /// The Provenance namespace it is stored in.
    public var storedIn: String
    /// Its context's id (a job) or its current version's artifact id (a dataset, if it has one).
    public var nodeID: Int64?
    /// When it was first and last written, microseconds since the epoch.
    public var createdAt: Int64
    /// When it was last written.
    public var updatedAt: Int64
    /// A job's latest run.
    public var latestRun: OpenLineageRunSummary?
    /// A dataset's current version (nil: unversioned).
    public var currentVersion: String?
    /// A job's facets (its context's struct custom properties), or a dataset's current version's (its artifact's).
    public var facets: [JSONMember]

    /// Creates a node.
    public init(
        name: OpenLineageNodeName, storedIn: String, nodeID: Int64?, createdAt: Int64, updatedAt: Int64,
        latestRun: OpenLineageRunSummary? = nil, currentVersion: String? = nil, facets: [JSONMember] = []
    ) {
        self.name = name
        self.storedIn = storedIn
        self.nodeID = nodeID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.latestRun = latestRun
        self.currentVersion = currentVersion
        self.facets = facets
    }
}

/// A run as Marquez lists it.
public struct OpenLineageRunSummary: Sendable {
    /// The run's id.
    public var runID: String
    /// Its execution's id.
    public var executionID: Int64
    /// Its state.
    public var state: ExecutionState
    /// When it was first and last written, microseconds since the epoch.
    public var createdAt: Int64
    /// When it was last written.
    public var updatedAt: Int64
    /// Its custom properties: facets, `started_at`, `ended_at`.
    public var properties: [JSONMember]

    /// Creates a summary.
    public init(runID: String, executionID: Int64, state: ExecutionState, createdAt: Int64, updatedAt: Int64, properties: [JSONMember]) {
        self.runID = runID
        self.executionID = executionID
        self.state = state
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.properties = properties
    }
}
