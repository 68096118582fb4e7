import ProvenanceCore

/// The REST representation of types.
public enum WireType {
    public static func json(_ type: NodeType) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "id", value: .int(type.id.rawValue)), (key: "kind", value: .string(type.kind.rawValue)),
            (key: "name", value: .string(type.name)),
        ]
        if let version = type.version { members.append((key: "version", value: .string(version))) }
        if let description = type.description { members.append((key: "description", value: .string(description))) }
        if let externalID = type.externalID { members.append((key: "external_id", value: .string(externalID))) }
        if let baseType = type.baseType { members.append((key: "base_type", value: .string(baseType))) }
        let properties = type.properties.keys.sorted().map { (key: $0, value: JSON.string(type.properties[$0]!.name)) }
        members.append((key: "properties", value: .object(properties)))
        return .object(members)
    }

    /// A type definition and its evolution options from a create request.
    public static func definition(_ json: JSON) throws(ProvenanceError) -> (NodeType, TypeEvolutionOptions) {
        let reader = try JSONObjectReader(json, path: "")
        try reader.rejectUnknown([
            "kind", "name", "version", "description", "external_id", "base_type", "properties", "can_add_fields",
            "can_omit_fields",
        ])
        let kind = try self.kind(try reader.requiredString("kind"), field: "kind")
        var baseType: String?
        if let name = try reader.string("base_type") {
            guard let parsed = kind.baseType(named: name) else {
                let allowed = kind.baseTypeNames.dropFirst().joined(separator: ", ")
                throw .invalid("base_type", "'\(name)' is not a base type of \(kind.rawValue) types" + (allowed.isEmpty ? "" : "; expected one of \(allowed)"))
            }
            baseType = parsed
        }
        var properties: [String: PropertyType] = [:]
        for entry in try reader.members("properties") ?? [] {
            guard case .string(let name) = entry.value, let type = PropertyType(name: name) else {
                throw .invalid("properties.\(entry.key)", "expected one of INT, DOUBLE, STRING, STRUCT, PROTO, BOOLEAN")
            }
            properties[entry.key] = type
        }
        let type = NodeType(
            kind: kind, name: try reader.requiredString("name"), version: try reader.string("version"),
            description: try reader.string("description"), externalID: try reader.string("external_id"),
            baseType: baseType, properties: properties)
        let options = TypeEvolutionOptions(
            canAddFields: try reader.bool("can_add_fields") ?? false, canOmitFields: try reader.bool("can_omit_fields") ?? false)
        return (type, options)
    }

    public static func kind(_ text: String, field: String) throws(ProvenanceError) -> NodeKind {
        let normalized = text.lowercased()
        guard let kind = NodeKind.allCases.first(where: { $0.rawValue == normalized || $0.plural == normalized }) else {
            throw .invalid(field, "expected artifact, execution or context, got '\(text)'")
        }
        return kind
    }
}
