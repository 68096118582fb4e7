/// Reads the members of a JSON object with error messages that name the field's full path, and rejects members
/// it was not asked about (a misspelt field should be a 400, not silently ignored).
public struct JSONObjectReader: Sendable {
    private let base: String
    private let index: Int?
    private let members: [(key: String, value: JSON)]

    /// Where the object is in the request ("artifacts[3]"), for error messages; formatted only when asked for.
    public var path: String { Self.path(base, index) }

    /// A reader of `json`, which must be an object, at `path` in the request.
    public init(_ json: JSON, path: String) throws(ProvenanceError) {
        try self.init(json, base: path, index: nil)
    }

    /// The `index`th element of the array at `array`.
    public init(_ json: JSON, in array: String, at index: Int) throws(ProvenanceError) {
        try self.init(json, base: array, index: index)
    }

    private init(_ json: JSON, base: String, index: Int?) throws(ProvenanceError) {
        guard case .object(let members) = json else {
            throw .invalid(Self.path(base, index), "expected an object, got \(json.kindName)")
        }
        self.base = base
        self.index = index
        self.members = members
    }

    private static func path(_ base: String, _ index: Int?) -> String {
        index.map { "\(base)[\($0)]" } ?? base
    }

    /// The path of member `key`, for errors.
    public func field(_ key: String) -> String { Validation.join(path, key) }

    /// The member's value, treating null as absent.
    public func value(_ key: String) -> JSON? {
        guard let value = members.first(where: { $0.key == key })?.value, value != .null else { return nil }
        return value
    }

    /// Whether the member is present at all (null included: in a patch, null means "remove").
    public func contains(_ key: String) -> Bool { members.contains { $0.key == key } }

    /// A string member, if present.
    public func string(_ key: String) throws(ProvenanceError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw .invalid(field(key), "expected a string, got \(value.kindName)") }
        return text
    }

    /// A string member that must be present.
    public func requiredString(_ key: String) throws(ProvenanceError) -> String {
        guard let text = try string(key) else { throw .invalid(field(key), "is required") }
        return text
    }

    /// An integer: a JSON number without a fraction (a string of digits is an error, as every other type mismatch).
    public func int(_ key: String) throws(ProvenanceError) -> Int64? {
        guard let value = value(key) else { return nil }
        return try Self.integer(value, field: field(key))
    }

    /// A number member (an integer counts), if present.
    public func double(_ key: String) throws(ProvenanceError) -> Double? {
        guard let value = value(key) else { return nil }
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        default: throw .invalid(field(key), "expected a number, got \(value.kindName)")
        }
    }

    /// A duration member: text such as `500ms`, `30s`, `5m`, `1h`, or a number of seconds.
    public func duration(_ key: String) throws(ProvenanceError) -> Duration? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let seconds) where seconds >= 0: return .seconds(seconds)
        case .double(let seconds) where seconds >= 0 && seconds.isFinite: return .milliseconds(Int64(seconds * 1000))
        case .string(let text):
            if let duration = SettingDuration.parse(text) { return duration }
            throw .invalid(field(key), "expected a duration such as 500ms, 30s, 5m or 1h, got '\(text)'")
        default: throw .invalid(field(key), "expected a duration such as 500ms, 30s, 5m or 1h, got \(value.kindName)")
        }
    }

    /// A boolean member, if present.
    public func bool(_ key: String) throws(ProvenanceError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw .invalid(field(key), "expected true or false, got \(value.kindName)") }
        return flag
    }

    /// An array member, if present.
    public func array(_ key: String) throws(ProvenanceError) -> [JSON]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else { throw .invalid(field(key), "expected an array, got \(value.kindName)") }
        return elements
    }

    /// An array-of-strings member, if present; `what` names an element in errors ("a namespace name").
    public func strings(_ key: String, each what: String = "a string") throws(ProvenanceError) -> [String]? {
        guard let elements = try array(key) else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else { throw .invalid(field("\(key)[\(index)]"), "expected \(what)") }
            strings.append(text)
        }
        return strings
    }

    /// The members of an object member, without a reader for it (nor its path, until an error needs it).
    public func members(_ key: String) throws(ProvenanceError) -> [(key: String, value: JSON)]? {
        guard let value = value(key) else { return nil }
        guard case .object(let members) = value else {
            throw .invalid(field(key), "expected an object, got \(value.kindName)")
        }
        return members
    }

    /// A reader of an object member, if present.
    public func object(_ key: String) throws(ProvenanceError) -> JSONObjectReader? {
        guard let value = value(key) else { return nil }
        return try JSONObjectReader(value, path: field(key))
    }

    /// Rejects members outside `allowed` (a short list: comparing with each is cheaper than hashing).
    public func rejectUnknown(_ allowed: [String]) throws(ProvenanceError) {
        if let unknown = members.first(where: { !allowed.contains($0.key) }) {
            throw .invalid(field(unknown.key), "unknown field")
        }
    }

    /// `value` as an integer, or an error at `field`.
    public static func integer(_ value: JSON, field: @autoclosure () -> String) throws(ProvenanceError) -> Int64 {
        switch value {
        case .int(let number): return number
        default: throw .invalid(field(), "expected an integer, got \(value.kindName)")
        }
    }
}
