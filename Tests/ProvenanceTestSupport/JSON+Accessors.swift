import ProvenanceCore

/// Accessors that keep test assertions short.
extension JSON {
    /// The integer at `key`, or -1.
    public func int(_ key: String) -> Int64 {
        if case .int(let value)? = self[key] { return value }
        return -1
    }

    /// The array at `key`, or empty.
    public func array(_ key: String) -> [JSON] {
        if case .array(let value)? = self[key] { return value }
        return []
    }

    /// The members of an object, or empty.
    public var objectMembers: [(key: String, value: JSON)] {
        if case .object(let members) = self { return members }
        return []
    }

    /// The string at `key`, or nil.
    public func string(_ key: String) -> String? {
        if case .string(let value)? = self[key] { return value }
        return nil
    }
}
