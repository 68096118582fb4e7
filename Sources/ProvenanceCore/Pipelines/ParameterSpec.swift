/// The value type of a component or pipeline parameter.
public enum ParameterType: String, Sendable, CaseIterable, Hashable {
    case string = "STRING"
    case int = "INT"
    case double = "DOUBLE"
    case bool = "BOOL"
    /// Any JSON value (an object or a list of settings).
    case json = "JSON"

    /// Parses a type name in any letter case ("BOOLEAN" and "FLOAT" are accepted too).
    public init?(name: String) {
        switch name.uppercased() {
        case "STRING", "STR": self = .string
        case "INT", "INTEGER": self = .int
        case "DOUBLE", "FLOAT", "NUMBER": self = .double
        case "BOOL", "BOOLEAN": self = .bool
        case "JSON", "STRUCT", "OBJECT": self = .json
        default: return nil
        }
    }

    /// Some value of this type, to check a template with before any run gives the real one.
    public var standIn: JSON {
        switch self {
        case .string, .json: .string("x")
        case .int: .int(0)
        case .double: .double(0.5)
        case .bool: .bool(true)
        }
    }

    /// The value of this type that `text` (a command-line argument) writes: the text itself for a STRING, a number,
    /// `true` or `false`, or a JSON document; nil if it is not one.
    public func value(fromText text: String) -> JSON? {
        switch self {
        case .string: .string(text)
        case .int: Int64(text).map(JSON.int)
        case .double: Double(text).flatMap { $0.isFinite ? JSON.double($0) : nil }
        case .bool: ["true": JSON.bool(true), "false": JSON.bool(false)][text.lowercased()]
        case .json: try? JSONParser.parse(Array(text.utf8))
        }
    }

    /// The value `value` as this type, or nil if it is not one (an integer is a double too).
    public func coerce(_ value: JSON) -> JSON? {
        switch (self, value) {
        case (.string, .string), (.int, .int), (.double, .double), (.bool, .bool): value
        case (.double, .int(let number)): .double(Double(number))
        case (.json, .null): nil
        case (.json, _): value
        default: nil
        }
    }
}

/// A typed parameter of a component or a pipeline, with its default.
public struct ParameterSpec: Sendable, Equatable {
    /// The parameter's name, as placeholders and bindings refer to it.
    public var name: String
    /// Its type.
    public var type: ParameterType
    /// The value used when none is given; nil makes the parameter required.
    public var defaultValue: JSON?
    /// Free text for people.
    public var description: String?

    /// Creates a parameter.
    public init(name: String, type: ParameterType, defaultValue: JSON? = nil, description: String? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.description = description
    }

    /// Whether a value must be given.
    public var isRequired: Bool { defaultValue == nil }
}

extension [ParameterSpec] {
    /// The parameter named `name`.
    public func named(_ name: String) -> ParameterSpec? { first { $0.name == name } }

    /// The values of every parameter: each given one checked against its type, defaults for the rest. A value for
    /// an unknown parameter, one of the wrong type, or a missing required one is an error at `path`.
    public func resolve(_ given: [String: JSON], path: String) throws(ProvenanceError) -> [String: JSON] {
        var resolved: [String: JSON] = [:]
        for name in given.keys.sorted() where named(name) == nil {
            let known = map(\.name).joined(separator: ", ")
            throw .invalid(Validation.join(path, name), "no such parameter\(known.isEmpty ? "" : "; known: \(known)")")
        }
        for parameter in self {
            if let value = given[parameter.name] {
                guard let typed = parameter.type.coerce(value) else {
                    throw .invalid(
                        Validation.join(path, parameter.name),
                        "expected a value of type \(parameter.type.rawValue), got \(value.kindName)")
                }
                resolved[parameter.name] = typed
            } else if let fallback = parameter.defaultValue {
                resolved[parameter.name] = fallback
            } else {
                throw .invalid(Validation.join(path, parameter.name), "is required (it has no default)")
            }
        }
        return resolved
    }
}
