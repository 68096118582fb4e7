extension PropertyValue {
    /// The tagged JSON form used in responses and storage: `{"int": 5}`, `{"proto": {"type_url", "value"}}`, ...
    public var taggedJSON: JSON {
        switch self {
        case .int(let value): ["int": .int(value)]
        case .double(let value): ["double": .double(value)]
        case .string(let value): ["string": .string(value)]
        case .bool(let value): ["bool": .bool(value)]
        case .structValue(let value): ["struct": value]
        case .proto(let typeURL, let value): ["proto": ["type_url": .string(typeURL), "value": .string(Base64.encode(value))]]
        }
    }

    /// The tag names of the tagged form, matched against single-member objects.
    static let tags: Set<String> = ["int", "double", "string", "bool", "struct", "proto"]

    /// Reads a value in tagged form (`{"double": 0.93}`), or nil if `json` is not a tagged value.
    public static func fromTagged(_ json: JSON, path: @autoclosure () -> String) throws(ProvenanceError) -> PropertyValue? {
        guard case .object(let members) = json, members.count == 1, tags.contains(members[0].key) else { return nil }
        let (tag, payload) = (members[0].key, members[0].value)
        func at() -> String { path() + "." + tag }
        switch (tag, payload) {
        case ("int", .int(let value)): return .int(value)
        case ("double", .double(let value)): return .double(value)
        case ("double", .int(let value)): return .double(Double(value))
        case ("string", .string(let value)): return .string(value)
        case ("bool", .bool(let value)): return .bool(value)
        case ("struct", .object): return .structValue(payload)
        case ("proto", .object):
            guard case .string(let typeURL)? = payload["type_url"] else {
                throw .invalid(at() + ".type_url", "expected a string")
            }
            guard case .string(let encoded)? = payload["value"] ?? .string(""), let bytes = Base64.decode(encoded) else {
                throw .invalid(at() + ".value", "expected base64 text")
            }
            return .proto(typeURL: typeURL, value: bytes)
        case ("int", .double): throw .invalid(at(), "expected an integer, got a fractional number")
        case ("int", _): throw .invalid(at(), "expected an integer, got \(payload.kindName)")
        case ("double", _): throw .invalid(at(), "expected a number, got \(payload.kindName)")
        case ("string", _): throw .invalid(at(), "expected a string, got \(payload.kindName)")
        case ("bool", _): throw .invalid(at(), "expected a boolean, got \(payload.kindName)")
        default: throw .invalid(at(), "expected an object, got \(payload.kindName)")
        }
    }

    /// Interprets a client's value for a property: tagged form, or a bare literal converted to `expected`, or (with
    /// no schema, for custom properties) typed by the literal: integer -> INT, fraction -> DOUBLE, text -> STRING,
    /// true/false -> BOOLEAN, object -> STRUCT.
    public static func from(_ input: PropertyInput, expected: PropertyType?, path: @autoclosure () -> String)
        throws(ProvenanceError)
        -> PropertyValue
    {
        let value: PropertyValue
        switch input {
        case .typed(let typed):
            value = typed
        case .json(let json):
            if let tagged = try fromTagged(json, path: path()) {
                value = tagged
            } else {
                value = try fromBare(json, expected: expected, path: path())
            }
        }
        if let expected, value.type != expected {
            if expected == .double, case .int(let integer) = value { return .double(Double(integer)) }
            throw .invalid(path(), "expected a value of type \(expected.name), got \(value.type.name)")
        }
        try value.checkStorable(path: path())
        return value
    }

    private static func fromBare(_ json: JSON, expected: PropertyType?, path: @autoclosure () -> String)
        throws(ProvenanceError)
        -> PropertyValue
    {
        switch (json, expected) {
        case (.int(let value), .double): return .double(Double(value))
        case (.int(let value), _): return .int(value)
        case (.double(let value), _): return .double(value)
        case (.string(let value), _): return .string(value)
        case (.bool(let value), _): return .bool(value)
        case (.object, _): return .structValue(json)
        case (.null, _): throw .invalid(path(), "a property value cannot be null")
        case (.array, _): throw .invalid(path(), "a property value cannot be an array; use {\"struct\": {...}}")
        }
    }

    /// Reads a stored (always tagged) value; storage is ours, so a malformed value is an internal error.
    public static func fromStored(_ json: JSON, path: String) -> PropertyValue {
        (try? fromTagged(json, path: path)) ?? .string("")
    }
}

/// Property maps in tagged JSON, keys sorted so output is deterministic.
public enum PropertyMap {
    /// `{"name": {"int": 5}, ...}` for a map of values.
    public static func taggedJSON(_ properties: [String: PropertyValue]) -> JSON {
        .object(properties.keys.sorted().map { (key: $0, value: properties[$0]!.taggedJSON) })
    }

    /// The text of `taggedJSON(properties)`, written directly rather than through a `JSON` value: the write path
    /// turns every node's properties into this text.
    public static func taggedJSONText(_ properties: [String: PropertyValue]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(32 * properties.count + 2)
        output.append(UInt8(ascii: "{"))
        let keys = properties.count == 1 ? [properties.first!.key] : properties.keys.sorted()
        for (offset, key) in keys.enumerated() {
            if offset > 0 { output.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(key, into: &output)
            output.append(UInt8(ascii: ":"))
            writeTagged(properties[key]!, into: &output)
        }
        output.append(UInt8(ascii: "}"))
        return String(decoding: output, as: UTF8.self)
    }

    private static func writeTagged(_ value: PropertyValue, into output: inout [UInt8]) {
        switch value {
        case .int(let number):
            output.append(contentsOf: #"{"int":"#.utf8)
            JSONWriter.writeInteger(number, into: &output)
        case .double(let number):
            output.append(contentsOf: #"{"double":"#.utf8)
            JSONWriter.writeDouble(number, into: &output)
        case .string(let text):
            output.append(contentsOf: #"{"string":"#.utf8)
            JSONWriter.writeString(text, into: &output)
        case .bool(let flag):
            output.append(contentsOf: (flag ? #"{"bool":true"# : #"{"bool":false"#).utf8)
        case .structValue, .proto:
            JSONWriter.write(value.taggedJSON, into: &output)
            return
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Reads a stored map.
    public static func fromStored(_ json: JSON) -> [String: PropertyValue] {
        guard case .object(let members) = json else { return [:] }
        var result: [String: PropertyValue] = [:]
        result.reserveCapacity(members.count)
        for member in members { result[member.key] = PropertyValue.fromStored(member.value, path: member.key) }
        return result
    }
}
