/// The three kinds of node in the lineage graph.
///
/// Artifacts, executions and contexts share almost everything (a type, a name, an external id, properties), so the
/// store and the REST API handle them through one code path parameterized by kind; only the state field differs.
public enum NodeKind: String, Sendable, CaseIterable, Hashable {
    case artifact
    case execution
    case context

    /// The plural used in URLs and list responses ("artifacts").
    public var plural: String { rawValue + "s" }

    /// The name of the state field in the API, or nil for contexts, which have none.
    public var stateField: String? {
        switch self {
        case .artifact: "state"
        case .execution: "last_known_state"
        case .context: nil
        }
    }

    /// The state names in MLMD's numbering (index = stored value).
    public var stateNames: [String] {
        switch self {
        case .artifact: ArtifactState.allCases.map(\.name)
        case .execution: ExecutionState.allCases.map(\.name)
        case .context: []
        }
    }

    /// MLMD's system base types this kind of type may extend (index = MLMD's enum value; 0 is UNSET).
    public var baseTypeNames: [String] {
        switch self {
        case .artifact: ["UNSET", "DATASET", "MODEL", "METRICS", "STATISTICS"]
        case .execution: ["UNSET", "TRAIN", "TRANSFORM", "PROCESS", "EVALUATE", "DEPLOY"]
        case .context: ["UNSET"]
        }
    }

    /// Whether nodes of this kind carry a URI.
    public var hasURI: Bool { self == .artifact }

    /// Whether a node of this kind must have a name (contexts are identified by type and name).
    public var requiresName: Bool { self == .context }

    /// The stored value of a state name, accepting any letter case.
    public func state(named name: String) -> Int16? {
        stateNames.firstIndex(of: name.uppercased()).map(Int16.init)
    }

    /// The name of a stored state value.
    public func stateName(_ value: Int16) -> String {
        let names = stateNames
        return names.indices.contains(Int(value)) ? names[Int(value)] : "UNKNOWN"
    }

    /// Parses a base type name as given by a client ("Dataset", "DATASET"), rejecting ones this kind lacks.
    public func baseType(named name: String) -> String? {
        let upper = name.uppercased()
        return baseTypeNames.contains(upper) && upper != "UNSET" ? upper : nil
    }
}
