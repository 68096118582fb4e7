/// An artifact, execution or context type: a name (and optional version) with a property schema.
public struct NodeType: Sendable, Equatable {
    /// The stored id (0 for a type not yet stored).
    public var id: TypeID
    /// Which kind of node this type describes.
    public var kind: NodeKind
    /// The type name; with `version` it is the type's key within its namespace and kind.
    public var name: String
    /// An optional version; types of the same name and different versions are different types.
    public var version: String?
    /// Free text for people.
    public var description: String?
    /// A client-chosen unique id.
    public var externalID: String?
    /// MLMD's system base type ("DATASET", "TRAIN", ...), or nil.
    public var baseType: String?
    /// The property schema: name to value type.
    public var properties: [String: PropertyType]

    /// Creates a type description.
    public init(
        id: TypeID = TypeID(0), kind: NodeKind, name: String, version: String? = nil, description: String? = nil,
        externalID: String? = nil, baseType: String? = nil, properties: [String: PropertyType] = [:]
    ) {
        self.id = id
        self.kind = kind
        self.name = name
        self.version = version
        self.description = description
        self.externalID = externalID
        self.baseType = baseType
        self.properties = properties
    }

    /// A readable reference for messages: `Model` or `Model (version v2)`.
    public var displayName: String {
        version.map { "'\(name)' (version \($0))" } ?? "'\(name)'"
    }
}

/// How a type may change when it is written again with the same name and version (MLMD's PutType options).
public struct TypeEvolutionOptions: Sendable, Equatable {
    /// Allow properties the stored type lacks.
    public var canAddFields: Bool
    /// Allow leaving out properties the stored type has (they stay in the schema).
    public var canOmitFields: Bool

    /// Creates options; both default to false, as in MLMD.
    public init(canAddFields: Bool = false, canOmitFields: Bool = false) {
        self.canAddFields = canAddFields
        self.canOmitFields = canOmitFields
    }
}

extension NodeType {
    /// Checks the fields of a type a client wants to create, naming the first bad one.
    public func validateDefinition(path: String = "") throws(ProvenanceError) {
        try Validation.requireName(name, field: Validation.join(path, "name"))
        if let version { try Validation.checkLength(version, field: Validation.join(path, "version")) }
        if let externalID { try Validation.checkLength(externalID, field: Validation.join(path, "external_id")) }
        if let description { try Validation.checkText(description, field: Validation.join(path, "description")) }
        if let baseType { try Validation.checkText(baseType, field: Validation.join(path, "base_type")) }
        for key in properties.keys {
            try Validation.requireName(key, field: Validation.join(path, "properties"))
        }
    }

    /// The type that results from writing `requested` over this stored type, following MLMD's evolution rules:
    /// a property's value type never changes; new properties need `canAddFields`; leaving out stored ones needs
    /// `canOmitFields` (they remain in the schema). Returns nil when nothing changes.
    public func evolved(to requested: NodeType, options: TypeEvolutionOptions) throws(ProvenanceError) -> NodeType? {
        var result = self
        for (property, type) in requested.properties.sorted(by: { $0.key < $1.key }) {
            if let stored = properties[property] {
                guard stored == type else {
                    throw ProvenanceError(
                        .alreadyExists,
                        "type \(displayName) has property '\(property)' of type \(stored.name); it cannot change to \(type.name)")
                }
            } else {
                guard options.canAddFields else {
                    throw ProvenanceError(
                        .alreadyExists,
                        "type \(displayName) exists without property '\(property)'; set can_add_fields to add it")
                }
                result.properties[property] = type
            }
        }
        if !options.canOmitFields, let missing = properties.keys.sorted().first(where: { requested.properties[$0] == nil }) {
            throw ProvenanceError(
                .alreadyExists,
                "type \(displayName) has property '\(missing)' that the request leaves out; set can_omit_fields to allow it")
        }
        if let base = requested.baseType, base != baseType {
            guard baseType == nil else {
                throw ProvenanceError(
                    .alreadyExists, "type \(displayName) has base type \(baseType!); it cannot change to \(base)")
            }
            result.baseType = base
        }
        if let description = requested.description { result.description = description }
        if let externalID = requested.externalID { result.externalID = externalID }
        return result == self ? nil : result
    }
}
