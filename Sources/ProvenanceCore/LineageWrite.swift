/// An event between two nodes of the same composite write, referring to them by their index in the request.
public struct EventEdge: Sendable, Equatable {
    /// Index into `LineageWrite.artifacts`.
    public var artifactIndex: Int
    /// Index into `LineageWrite.executions`.
    public var executionIndex: Int
    /// The event type.
    public var type: EventType
    /// The event path.
    public var path: [EventStep]
    /// Event time in milliseconds since the epoch; nil means the time of the write.
    public var millisecondsSinceEpoch: Int64?

    /// Creates an edge.
    public init(
        artifactIndex: Int, executionIndex: Int, type: EventType, path: [EventStep] = [],
        millisecondsSinceEpoch: Int64? = nil
    ) {
        self.artifactIndex = artifactIndex
        self.executionIndex = executionIndex
        self.type = type
        self.path = path
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }
}

/// A link between two nodes of a composite write, by index (context first).
public struct IndexLink: Sendable, Hashable {
    /// Index into `LineageWrite.contexts`.
    public var contextIndex: Int
    /// Index into the artifacts or executions of the write.
    public var nodeIndex: Int

    /// Creates a link.
    public init(contextIndex: Int, nodeIndex: Int) {
        self.contextIndex = contextIndex
        self.nodeIndex = nodeIndex
    }
}

/// Reuse rules of a composite write (MLMD's PutExecution / PutLineageSubgraph options).
public struct LineageWriteOptions: Sendable, Equatable {
    /// A new context whose type and name already exist reuses the stored one instead of failing.
    public var reuseContextIfAlreadyExists: Bool
    /// A new artifact whose external id already exists reuses the stored one instead of failing.
    public var reuseArtifactIfAlreadyExistsByExternalID: Bool

    /// Creates options.
    public init(reuseContextIfAlreadyExists: Bool, reuseArtifactIfAlreadyExistsByExternalID: Bool) {
        self.reuseContextIfAlreadyExists = reuseContextIfAlreadyExists
        self.reuseArtifactIfAlreadyExistsByExternalID = reuseArtifactIfAlreadyExistsByExternalID
    }
}

/// One atomic write of part of the lineage graph: nodes new or existing, the events between them, and the
/// context links. Every create, update, record and PATCH in Provenance is one of these, run as one statement.
public struct LineageWrite: Sendable, Equatable {
    /// Artifacts, in request order.
    public var artifacts: [NodeWrite]
    /// Executions, in request order.
    public var executions: [NodeWrite]
    /// Contexts, in request order.
    public var contexts: [NodeWrite]
    /// Events between artifacts and executions of this write.
    public var events: [EventEdge]
    /// Context-artifact links; nil links every artifact to every context, as MLMD does.
    public var attributions: [IndexLink]?
    /// Context-execution links; nil links every execution to every context, as MLMD does.
    public var associations: [IndexLink]?
    /// Reuse rules.
    public var options: LineageWriteOptions

    /// Creates a write.
    public init(
        artifacts: [NodeWrite] = [], executions: [NodeWrite] = [], contexts: [NodeWrite] = [],
        events: [EventEdge] = [], attributions: [IndexLink]? = nil, associations: [IndexLink]? = nil,
        options: LineageWriteOptions = .init(reuseContextIfAlreadyExists: false, reuseArtifactIfAlreadyExistsByExternalID: false)
    ) {
        self.artifacts = artifacts
        self.executions = executions
        self.contexts = contexts
        self.events = events
        self.attributions = attributions
        self.associations = associations
        self.options = options
    }

    /// The nodes of one kind.
    public func nodes(_ kind: NodeKind) -> [NodeWrite] {
        switch kind {
        case .artifact: artifacts
        case .execution: executions
        case .context: contexts
        }
    }

    /// Replaces the nodes of one kind.
    public mutating func setNodes(_ nodes: [NodeWrite], of kind: NodeKind) {
        switch kind {
        case .artifact: artifacts = nodes
        case .execution: executions = nodes
        case .context: contexts = nodes
        }
    }

    /// Whether the write names any stored node by id (to update it or to link it), rather than only creating
    /// nodes or reusing them by key.
    public var referencesStoredNodes: Bool {
        NodeKind.allCases.contains { kind in nodes(kind).contains { if case .update = $0 { true } else { false } } }
    }

    /// The largest number of nodes, events or links one write may carry.
    public static let maximumItems = 100_000
}

/// The ids a composite write produced or touched, in request order.
public struct LineageWriteResult: Sendable, Equatable {
    /// One id per artifact of the write.
    public var artifactIDs: [ArtifactID]
    /// One id per execution of the write.
    public var executionIDs: [ExecutionID]
    /// One id per context of the write.
    public var contextIDs: [ContextID]

    /// Creates a result.
    public init(artifactIDs: [ArtifactID], executionIDs: [ExecutionID], contextIDs: [ContextID]) {
        self.artifactIDs = artifactIDs
        self.executionIDs = executionIDs
        self.contextIDs = contextIDs
    }

    /// The ids of one kind, as plain integers.
    public func ids(_ kind: NodeKind) -> [Int64] {
        switch kind {
        case .artifact: artifactIDs.map(\.rawValue)
        case .execution: executionIDs.map(\.rawValue)
        case .context: contextIDs.map(\.rawValue)
        }
    }
}
