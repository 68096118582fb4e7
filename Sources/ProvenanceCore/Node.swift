/// A stored artifact, execution or context.
public struct Node: Sendable, Equatable {
    /// Which kind of node this is.
    public var kind: NodeKind
    /// The node's id (ids increase monotonically within each kind).
    public var id: Int64
    /// The node's type.
    public var typeID: TypeID
    /// The type's name, for readers.
    public var typeName: String
    /// Optional for artifacts and executions (unique per type), required for contexts.
    public var name: String?
    /// A client-chosen id, unique per kind and namespace.
    public var externalID: String?
    /// Where an artifact's data lives; nil for other kinds.
    public var uri: String?
    /// Artifact state or execution last_known_state, in MLMD's numbering; nil for contexts.
    public var state: Int16?
    /// Properties declared by the type.
    public var properties: [String: PropertyValue]
    /// Free-form properties.
    public var customProperties: [String: PropertyValue]
    /// Creation time, microseconds since the Unix epoch.
    public var createTime: Int64
    /// Last update time, microseconds since the Unix epoch.
    public var updateTime: Int64
    /// Incremented on every update; the basis of optimistic concurrency (ETag / If-Match).
    public var revision: Int64

    /// Creates a node value.
    public init(
        kind: NodeKind, id: Int64, typeID: TypeID, typeName: String, name: String? = nil, externalID: String? = nil,
        uri: String? = nil, state: Int16? = nil, properties: [String: PropertyValue] = [:],
        customProperties: [String: PropertyValue] = [:], createTime: Int64 = 0, updateTime: Int64 = 0,
        revision: Int64 = 1
    ) {
        self.kind = kind
        self.id = id
        self.typeID = typeID
        self.typeName = typeName
        self.name = name
        self.externalID = externalID
        self.uri = uri
        self.state = state
        self.properties = properties
        self.customProperties = customProperties
        self.createTime = createTime
        self.updateTime = updateTime
        self.revision = revision
    }
}

/// How a write names a node's type: by id, or by name and optional version.
public enum TypeReference: Sendable, Equatable, Hashable {
    case id(TypeID)
    case name(String, version: String?)
}

/// A node a client wants created.
public struct NodeDraft: Sendable, Equatable {
    /// The node's kind.
    public var kind: NodeKind
    /// Its type.
    public var type: TypeReference
    /// Optional name (required for contexts).
    public var name: String?
    /// Optional external id.
    public var externalID: String?
    /// Artifacts only.
    public var uri: String?
    /// State in MLMD's numbering.
    public var state: Int16?
    /// Properties, checked against the type's schema when the write runs.
    public var properties: [String: PropertyInput]
    /// Custom properties.
    public var customProperties: [String: PropertyInput]

    /// Creates a draft.
    public init(
        kind: NodeKind, type: TypeReference, name: String? = nil, externalID: String? = nil, uri: String? = nil,
        state: Int16? = nil, properties: [String: PropertyInput] = [:], customProperties: [String: PropertyInput] = [:]
    ) {
        self.kind = kind
        self.type = type
        self.name = name
        self.externalID = externalID
        self.uri = uri
        self.state = state
        self.properties = properties
        self.customProperties = customProperties
    }
}

/// A field of an update: left alone, or set to a value (nil clears it).
public enum FieldUpdate<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case set(Value?)
}

/// Changes to a property map: merge `set` over the stored map after dropping `remove`, or replace it entirely.
public struct PropertyPatch: Sendable, Equatable {
    /// Drop every stored property first (MLMD's full replace on Put without an update mask).
    public var replaceAll: Bool
    /// Properties to set.
    public var set: [String: PropertyInput]
    /// Properties to remove.
    public var remove: [String]

    /// Creates a patch; the default changes nothing.
    public init(replaceAll: Bool = false, set: [String: PropertyInput] = [:], remove: [String] = []) {
        self.replaceAll = replaceAll
        self.set = set
        self.remove = remove
    }

    /// Whether the patch changes anything.
    public var isEmpty: Bool { !replaceAll && set.isEmpty && remove.isEmpty }
}

/// Changes to an existing node (REST PATCH, or a node given by id in a composite write).
public struct NodePatch: Sendable, Equatable {
    /// The node's name.
    public var name: FieldUpdate<String> = .keep
    /// The node's external id.
    public var externalID: FieldUpdate<String> = .keep
    /// Artifacts only.
    public var uri: FieldUpdate<String> = .keep
    /// State in MLMD's numbering.
    public var state: FieldUpdate<Int16> = .keep
    /// Property changes.
    public var properties = PropertyPatch()
    /// Custom property changes.
    public var customProperties = PropertyPatch()
    /// If set, the update fails with failedPrecondition unless the stored revision equals it.
    public var expectedRevision: Int64?
    /// If set, the update fails with failedPrecondition unless the stored last update time, in milliseconds since
    /// the epoch, equals it (MLMD's abort_if_latest_updated_time_changed).
    public var expectedUpdateTimeMilliseconds: Int64?
    /// If set, the type the client believes the node has; a mismatch is an error (MLMD requires it on updates).
    public var expectedType: TypeReference?

    /// Creates an empty patch.
    public init() {}
}

/// A node in a composite write: a new one, or an existing one by id, optionally changed.
public enum NodeWrite: Sendable, Equatable {
    case create(NodeDraft)
    case update(id: Int64, NodePatch)
}
