extension NodeType {
    /// Checks a node's properties against this type's schema and gives each its typed value. A property the type
    /// does not declare is an error that points the client to custom_properties.
    public func resolveProperties(_ inputs: [String: PropertyInput], path: @autoclosure () -> String)
        throws(ProvenanceError)
        -> [String: PropertyValue]
    {
        var result: [String: PropertyValue] = [:]
        result.reserveCapacity(inputs.count)
        for (key, input) in inputs.sorted(by: { $0.key < $1.key }) {
            guard let expected = properties[key] else {
                throw .invalid(path() + "." + key, "type \(displayName) declares no property '\(key)'; use custom_properties for undeclared ones")
            }
            result[key] = try PropertyValue.from(input, expected: expected, path: path() + "." + key)
        }
        return result
    }

    /// Gives custom properties their typed values (by their tag or their literal).
    public static func resolveCustomProperties(_ inputs: [String: PropertyInput], path: @autoclosure () -> String)
        throws(ProvenanceError)
        -> [String: PropertyValue]
    {
        var result: [String: PropertyValue] = [:]
        result.reserveCapacity(inputs.count)
        for (key, input) in inputs.sorted(by: { $0.key < $1.key }) {
            try Validation.requireName(key, field: path())
            result[key] = try PropertyValue.from(input, expected: nil, path: path() + "." + key)
        }
        return result
    }
}
