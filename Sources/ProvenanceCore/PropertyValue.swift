/// The value types a property can have, with MLMD's numbering.
public enum PropertyType: Int16, Sendable, CaseIterable, Hashable {
    case int = 1
    case double = 2
    case string = 3
    case structValue = 4
    case proto = 5
    case boolean = 6

    /// The MLMD name of the type ("INT", "DOUBLE", ...).
    public var name: String {
        switch self {
        case .int: "INT"
        case .double: "DOUBLE"
        case .string: "STRING"
        case .structValue: "STRUCT"
        case .proto: "PROTO"
        case .boolean: "BOOLEAN"
        }
    }

    /// Parses an MLMD type name, in any letter case ("BOOL" is accepted for BOOLEAN).
    public init?(name: String) {
        let upper = name.uppercased()
        if upper == "BOOL" {
            self = .boolean
            return
        }
        guard let match = Self.allCases.first(where: { $0.name == upper }) else { return nil }
        self = match
    }
}

/// One property value, as MLMD's `Value` message.
public enum PropertyValue: Sendable, Equatable {
    case int(Int64)
    case double(Double)
    case string(String)
    case bool(Bool)
    /// A google.protobuf.Struct, kept as its JSON object.
    case structValue(JSON)
    /// A packed google.protobuf.Any.
    case proto(typeURL: String, value: [UInt8])

    /// The property type this value has.
    public var type: PropertyType {
        switch self {
        case .int: .int
        case .double: .double
        case .string: .string
        case .bool: .boolean
        case .structValue: .structValue
        case .proto: .proto
        }
    }
}

/// A property value as a client sent it: already typed (gRPC, tagged JSON), or a bare JSON literal whose type is
/// decided by the property schema or, for custom properties, by the literal itself.
public enum PropertyInput: Sendable, Equatable {
    case typed(PropertyValue)
    case json(JSON)
}
