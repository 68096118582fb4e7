/// The kinds of event joining an artifact to an execution, with MLMD's numbering.
public enum EventType: Int16, Sendable, CaseIterable {
    case unknown = 0
    case declaredOutput = 1
    case declaredInput = 2
    case input = 3
    case output = 4
    case internalInput = 5
    case internalOutput = 6
    case pendingOutput = 7

    /// MLMD's name ("DECLARED_INPUT", ...).
    public var name: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .declaredOutput: "DECLARED_OUTPUT"
        case .declaredInput: "DECLARED_INPUT"
        case .input: "INPUT"
        case .output: "OUTPUT"
        case .internalInput: "INTERNAL_INPUT"
        case .internalOutput: "INTERNAL_OUTPUT"
        case .pendingOutput: "PENDING_OUTPUT"
        }
    }

    /// Parses a name in any letter case.
    public init?(name: String) {
        let upper = name.uppercased()
        guard let match = Self.allCases.first(where: { $0.name == upper }) else { return nil }
        self = match
    }

    /// Whether the artifact flows into the execution.
    public var isInput: Bool { self == .declaredInput || self == .input || self == .internalInput }

    /// Whether the artifact flows out of the execution.
    public var isOutput: Bool {
        self == .declaredOutput || self == .output || self == .internalOutput || self == .pendingOutput
    }
}

/// One step of an event path: an index into a list or a key into a map.
public enum EventStep: Sendable, Equatable {
    case index(Int64)
    case key(String)
}

/// An event: artifact `artifactID` was read or written by execution `executionID`.
public struct Event: Sendable, Equatable {
    /// The artifact.
    public var artifactID: ArtifactID
    /// The execution.
    public var executionID: ExecutionID
    /// How the artifact relates to the execution.
    public var type: EventType
    /// Where in the execution's inputs or outputs the artifact sits.
    public var path: [EventStep]
    /// When it happened, milliseconds since the Unix epoch (nil: now, when written).
    public var millisecondsSinceEpoch: Int64?

    /// Creates an event.
    public init(
        artifactID: ArtifactID, executionID: ExecutionID, type: EventType, path: [EventStep] = [],
        millisecondsSinceEpoch: Int64? = nil
    ) {
        self.artifactID = artifactID
        self.executionID = executionID
        self.type = type
        self.path = path
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }
}

extension EventStep {
    /// `{"index": 0}` or `{"key": "examples"}`.
    public var json: JSON {
        switch self {
        case .index(let index): ["index": .int(index)]
        case .key(let key): ["key": .string(key)]
        }
    }

    /// Reads a step; storage and the API use the same form.
    public static func from(_ json: JSON, path: String) throws(ProvenanceError) -> EventStep {
        switch (json["index"], json["key"]) {
        case (.int(let index)?, nil): return .index(index)
        case (nil, .string(let key)?):
            try Validation.checkText(key, field: path + ".key")
            return .key(key)
        default: throw .invalid(path, "a path step is {\"index\": N} or {\"key\": \"name\"}")
        }
    }
}
