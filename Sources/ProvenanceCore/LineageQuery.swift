/// Which way a lineage traversal follows events.
public enum LineageDirection: String, Sendable, CaseIterable {
    /// Toward what a node was made from: artifact -> the executions that output it -> their inputs.
    case upstream
    /// Toward what a node was used for: artifact -> the executions that read it -> their outputs.
    case downstream
    /// Along every event, both ways.
    case both

    /// Parses MLMD's names (UPSTREAM, DOWNSTREAM, BIDIRECTIONAL) and ours, in any letter case.
    public static func parse(_ text: String, field: String = "direction") throws(ProvenanceError) -> LineageDirection {
        switch text.lowercased() {
        case "upstream": return .upstream
        case "downstream": return .downstream
        case "both", "bidirectional": return .both
        default: throw .invalid(field, "must be upstream, downstream or both (BIDIRECTIONAL), got '\(text)'")
        }
    }
}

/// The nodes a traversal starts from: ids, or every node a filter selects.
public enum NodeSelection: Sendable, Equatable {
    case ids([Int64])
    case filter(Filter)
}

/// A lineage traversal, with MLMD GetLineageSubgraph's options.
public struct LineageQuery: Sendable, Equatable {
    /// Default hop limit. One hop is one step from a node to a neighbour through an event.
    public static let defaultMaxHops = 20
    /// The largest hop limit a client may ask for.
    public static let maximumMaxHops = 10_000
    /// Default node cap.
    public static let defaultNodeLimit = 10_000
    /// The largest node cap a client may ask for. An answer is built whole in memory: a walk of 50,000 nodes made
    /// a 24 MB answer in 10 s, so a larger graph is read in parts (fewer hops, ending filters).
    public static let maximumNodeLimit = 10_000

    public var startingArtifacts: NodeSelection?
    public var startingExecutions: NodeSelection?
    public var direction: LineageDirection
    /// Nodes farther than this many hops from every starting node are not visited.
    public var maxHops: Int
    /// Artifacts where the traversal stops (they are not expanded further).
    public var endingArtifacts: Filter?
    /// Executions where the traversal stops.
    public var endingExecutions: Filter?
    /// Whether the ending nodes themselves are part of the result.
    public var includeEndingNodes: Bool
    /// At most this many nodes are returned, nearest first; the result says when more were reachable.
    public var nodeLimit: Int

    public init(
        startingArtifacts: NodeSelection? = nil, startingExecutions: NodeSelection? = nil,
        direction: LineageDirection = .upstream, maxHops: Int = LineageQuery.defaultMaxHops,
        endingArtifacts: Filter? = nil, endingExecutions: Filter? = nil, includeEndingNodes: Bool = false,
        nodeLimit: Int = LineageQuery.defaultNodeLimit
    ) {
        self.startingArtifacts = startingArtifacts
        self.startingExecutions = startingExecutions
        self.direction = direction
        self.maxHops = maxHops
        self.endingArtifacts = endingArtifacts
        self.endingExecutions = endingExecutions
        self.includeEndingNodes = includeEndingNodes
        self.nodeLimit = nodeLimit
    }

    /// Checks the limits a client gave; `names` are the request's names of the limits (MLMD's by default).
    public func validate(names: LimitNames = LimitNames()) throws(ProvenanceError) {
        guard startingArtifacts != nil || startingExecutions != nil else {
            throw .invalid("starting_artifacts", "give starting_artifacts or starting_executions")
        }
        guard (0...Self.maximumMaxHops).contains(maxHops) else {
            throw .invalid(names.maxHops, "must be between 0 and \(Self.maximumMaxHops), got \(maxHops)")
        }
        guard (1...Self.maximumNodeLimit).contains(nodeLimit) else {
            throw .invalid(names.nodeLimit, "must be between 1 and \(Self.maximumNodeLimit), got \(nodeLimit)")
        }
    }

    /// What a request calls the hop limit and the node cap, for its errors.
    public struct LimitNames: Sendable {
        /// The hop limit's name.
        public var maxHops: String
        /// The node cap's name.
        public var nodeLimit: String

        /// Names; MLMD's by default.
        public init(maxHops: String = "max_num_hops", nodeLimit: String = "max_node_size") {
            self.maxHops = maxHops
            self.nodeLimit = nodeLimit
        }
    }
}

/// A node reached by a traversal.
public struct LineageStep: Sendable, Equatable {
    public var kind: NodeKind
    public var id: Int64
    /// Hops from the nearest starting node (0 for starting nodes).
    public var hops: Int
    /// The neighbour one hop nearer the start through which the node was first reached (nil for starting nodes).
    public var via: Int64?
    /// Whether the node matched an ending filter (and so was not expanded).
    public var isEnding: Bool

    public init(kind: NodeKind, id: Int64, hops: Int, via: Int64?, isEnding: Bool) {
        self.kind = kind
        self.id = id
        self.hops = hops
        self.via = via
        self.isEnding = isEnding
    }
}

/// The nodes a traversal reached, nearest first.
public struct LineageTraversal: Sendable, Equatable {
    public var steps: [LineageStep]
    /// Whether the node limit cut the traversal short.
    public var truncated: Bool

    public init(steps: [LineageStep], truncated: Bool) {
        self.steps = steps
        self.truncated = truncated
    }

    /// For each of `targets` (nodes of the traversal), the chain from a starting node to it, both included, as
    /// (kind, id) pairs. The steps are indexed once for all targets.
    public func paths(to targets: [LineageStep]) -> [[(kind: NodeKind, id: Int64)]] {
        var index: [NodeKind: [Int64: LineageStep]] = [:]
        for step in steps { index[step.kind, default: [:]][step.id] = step }
        return targets.map { path(to: $0.kind, $0.id, index: index) }
    }

    private func path(to kind: NodeKind, _ id: Int64, index: [NodeKind: [Int64: LineageStep]])
        -> [(kind: NodeKind, id: Int64)]
    {
        var chain: [(kind: NodeKind, id: Int64)] = []
        var current = index[kind]?[id]
        while let step = current, chain.count <= steps.count {
            chain.append((step.kind, step.id))
            guard let via = step.via else { break }
            current = index[step.kind == .artifact ? .execution : .artifact]?[via]
        }
        return chain.reversed()
    }
}

/// Which related artifacts a provenance, impact or results report returns.
public enum ArtifactSelection: Sendable, Equatable {
    /// Artifacts whose type has this base type (or is named so): DATASET, MODEL, METRICS, STATISTICS.
    case baseType(String)
    /// Artifacts the filter selects.
    case filter(Filter)
}

/// An artifact related to the starting one, with the chain that connects them.
public struct RelatedArtifact: Sendable {
    public var artifact: Node
    /// Hops from the starting artifact.
    public var hops: Int
    /// From the starting artifact to this one, both included: artifacts and executions alternating.
    public var path: [(kind: NodeKind, id: Int64)]

    public init(artifact: Node, hops: Int, path: [(kind: NodeKind, id: Int64)]) {
        self.artifact = artifact
        self.hops = hops
        self.path = path
    }
}

/// The answer to "what data made this model" (upstream) or "which models did this data reach" (downstream).
public struct ArtifactLineageReport: Sendable {
    public var direction: LineageDirection
    public var artifact: Node
    /// The executions one hop away: those that produced the artifact (upstream) or read it (downstream).
    public var executions: [Node]
    /// The contexts (pipeline, run) of those executions.
    public var contexts: [Node]
    /// The selected artifacts, nearest first.
    public var related: [RelatedArtifact]
    /// Whether the node limit cut the traversal short.
    public var truncated: Bool
    /// The deleted nodes on the related artifacts' paths: the walk went through them.
    public var deleted: [Tombstone] = []

    public init(
        direction: LineageDirection, artifact: Node, executions: [Node], contexts: [Node], related: [RelatedArtifact],
        truncated: Bool
    ) {
        self.direction = direction
        self.artifact = artifact
        self.executions = executions
        self.contexts = contexts
        self.related = related
        self.truncated = truncated
    }
}

/// The parts of a subgraph a client asked for (MLMD's read mask).
public struct LineageFields: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let artifacts = LineageFields(rawValue: 1)
    public static let executions = LineageFields(rawValue: 2)
    public static let contexts = LineageFields(rawValue: 4)
    public static let events = LineageFields(rawValue: 8)
    public static let types = LineageFields(rawValue: 16)
    /// The context links (context-artifact) of the returned artifacts.
    public static let attributions = LineageFields(rawValue: 32)
    /// The context links (context-execution) of the returned executions.
    public static let associations = LineageFields(rawValue: 64)
    /// The parent links among the returned contexts.
    public static let parentContexts = LineageFields(rawValue: 128)
    /// Every part: what a request without a read mask gets.
    public static let all: LineageFields = [
        .artifacts, .executions, .contexts, .events, .types, .attributions, .associations, .parentContexts,
    ]

    /// The parts by their read-mask names: the fields of MLMD's LineageGraph (each type list names all types),
    /// `parent_contexts`, and `types`.
    public static let byName: [String: LineageFields] = [
        "artifacts": .artifacts, "executions": .executions, "contexts": .contexts, "events": .events,
        "types": .types, "artifact_types": .types, "execution_types": .types, "context_types": .types,
        "attributions": .attributions, "associations": .associations, "parent_contexts": .parentContexts,
    ]

    /// The part a read-mask entry names; `field` locates the entry in errors.
    public static func named(_ name: String, field: String) throws(ProvenanceError) -> LineageFields {
        guard let part = byName[name] else {
            throw .invalid(field, "unknown part '\(name)'; expected one of \(byName.keys.sorted().joined(separator: ", "))")
        }
        return part
    }
}

/// The nodes and edges of a traversal, ready to draw.
public struct LineageSubgraph: Sendable {
    public var artifacts: [Node] = []
    public var executions: [Node] = []
    public var contexts: [Node] = []
    /// Events between the returned artifacts and executions.
    public var events: [Event] = []
    /// The types of the returned nodes.
    public var types: [NodeType] = []
    /// The links of the returned artifacts to their contexts.
    public var attributions: [ContextLink] = []
    /// The links of the returned executions to their contexts.
    public var associations: [ContextLink] = []
    /// The parent links among the returned contexts.
    public var parentContexts: [ParentContextLink] = []
    /// Each returned artifact's and execution's distance from the start.
    public var hops: [NodeKind: [Int64: Int]] = [:]
    /// Whether the node limit cut the traversal short.
    public var truncated = false
    /// The deleted artifacts and executions the walk went through (they are in `hops`, not in the node lists).
    public var deleted: [Tombstone] = []

    public init() {}
}

/// A link between a context and an artifact (attribution) or an execution (association).
public struct ContextLink: Sendable, Equatable {
    /// The context.
    public var contextID: ContextID
    /// The artifact or execution.
    public var nodeID: Int64
    /// Creates a link.
    public init(contextID: ContextID, nodeID: Int64) {
        self.contextID = contextID
        self.nodeID = nodeID
    }
}

/// A parent link between two contexts.
public struct ParentContextLink: Sendable, Equatable {
    /// The child context.
    public var childID: ContextID
    /// The parent context.
    public var parentID: ContextID
    /// Creates a link.
    public init(childID: ContextID, parentID: ContextID) {
        self.childID = childID
        self.parentID = parentID
    }
}
