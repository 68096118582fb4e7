extension PropertyValue {
    /// The deepest nesting of objects and arrays a struct value may have (the struct itself is level 1).
    ///
    /// Every value Provenance stores must be readable through every protocol it serves. Over gRPC a struct is a
    /// google.protobuf.Struct, and each level of nesting costs two or three levels of protobuf messages (Struct,
    /// its field entry and Value; ListValue and Value); the official Python client (ml-metadata 1.17) refuses to
    /// parse a message nested deeper than 100 levels, and then fails every answer that contains the node,
    /// GetArtifacts of the whole namespace included. Measured with that client: objects nested 32 deep read back
    /// through GetArtifactsByID and GetLineageSubgraph, 33 through neither (arrays fail from 48 levels). So 32
    /// levels of objects or arrays, counted alike.
    public static let maximumStructDepth = 32

    /// Checks that PostgreSQL can store the value and every client can read it back: no NUL character in any text,
    /// no struct nested deeper than `maximumStructDepth`.
    func checkStorable(path: @autoclosure () -> String) throws(ProvenanceError) {
        switch self {
        case .string(let text): try Validation.checkText(text, field: path())
        case .structValue(let json): try Self.checkStruct(json, depth: 1, path: path())
        case .proto(let typeURL, _): try Validation.checkText(typeURL, field: path() + ".type_url")
        case .int, .double, .bool: break
        }
    }

    private static func checkStruct(_ json: JSON, depth: Int, path: @autoclosure () -> String) throws(ProvenanceError) {
        switch json {
        case .object(let members):
            guard depth <= maximumStructDepth else { throw tooDeep(path()) }
            for member in members {
                try Validation.checkText(member.key, field: path())
                try checkStruct(member.value, depth: depth + 1, path: path() + "." + member.key)
            }
        case .array(let elements):
            guard depth <= maximumStructDepth else { throw tooDeep(path()) }
            for (offset, element) in elements.enumerated() {
                try checkStruct(element, depth: depth + 1, path: path() + "[\(offset)]")
            }
        case .string(let text):
            try Validation.checkText(text, field: path())
        case .null, .bool, .int, .double:
            break
        }
    }

    private static func tooDeep(_ path: String) -> ProvenanceError {
        .invalid(
            path,
            "a struct may nest objects and arrays at most \(maximumStructDepth) levels deep (deeper ones cannot be "
                + "read back by gRPC clients)")
    }
}
