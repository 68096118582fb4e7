extension NodeType {
    /// Checks a node's properties against this type's schema and gives each its typed value. A property the type
    /// does not declare is an error that points the client to custom_properties.
    public func resolveProperties(_ inputs: [String: PropertyInput], path: @autoclosure () -> String)
        throws(ProvenanceError)
        -> [String: PropertyValue]
    {
        // Not sized in advance: the maps are small, and growing one costs less than reserving (unspecialized) space.
        var result: [String: PropertyValue] = [:]
        for (key, input) in Self.inKeyOrder(inputs) {
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
        for (key, input) in inKeyOrder(inputs) {
            try Validation.requireName(key, field: path())
            result[key] = try PropertyValue.from(input, expected: nil, path: path() + "." + key)
        }
        return result
    }

    /// The entries of `inputs` by key, so that the first bad property reported is the same on every run. Most maps
    /// hold one entry, which needs no sorting.
    private static func inKeyOrder(_ inputs: [String: PropertyInput]) -> [(key: String, value: PropertyInput)] {
        inputs.count == 1 ? Array(inputs) : inputs.sorted(by: { $0.key < $1.key })
    }
}
