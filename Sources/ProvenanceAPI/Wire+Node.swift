import ProvenanceCore

/// The REST representation of artifacts, executions and contexts (MLMD's JSON field names).
public enum WireNode {
    /// A node as the API returns it; absent optional fields are left out.
    public static func json(_ node: Node) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "id", value: .int(node.id)), (key: "type_id", value: .int(node.typeID.rawValue)),
            (key: "type", value: .string(node.typeName)),
        ]
        if let name = node.name { members.append((key: "name", value: .string(name))) }
        if let externalID = node.externalID { members.append((key: "external_id", value: .string(externalID))) }
        if let uri = node.uri { members.append((key: "uri", value: .string(uri))) }
        if let field = node.kind.stateField {
            members.append((key: field, value: .string(node.kind.stateName(node.state ?? 0))))
        }
        members.append((key: "properties", value: PropertyMap.taggedJSON(node.properties)))
        members.append((key: "custom_properties", value: PropertyMap.taggedJSON(node.customProperties)))
        members.append((key: "create_time_since_epoch", value: .int(node.createTime / 1000)))
        members.append((key: "last_update_time_since_epoch", value: .int(node.updateTime / 1000)))
        members.append((key: "revision", value: .int(node.revision)))
        return .object(members)
    }

    public static let createFields = [
        "type_id", "type", "type_version", "name", "external_id", "uri", "state", "last_known_state", "properties",
        "custom_properties",
    ]
    public static let updateFields = [
        "id", "type_id", "type", "type_version", "name", "external_id", "uri", "state", "last_known_state", "properties",
        "custom_properties", "revision",
    ]

    /// A node in a write: with an `id`, an existing node (other fields change it); without, a new node.
    public static func write(_ json: JSON, kind: NodeKind, path: String) throws(ProvenanceError) -> NodeWrite {
        try write(JSONObjectReader(json, path: path), kind: kind)
    }

    /// A node in a write, from its reader.
    public static func write(_ reader: JSONObjectReader, kind: NodeKind) throws(ProvenanceError) -> NodeWrite {
        if let id = try reader.int("id") {
            try reader.rejectUnknown(updateFields)
            var patch = try self.patch(reader, kind: kind)
            patch.expectedType = try typeReference(reader)
            return .update(id: id, patch)
        }
        return .create(try draft(reader, kind: kind))
    }

    /// A new node.
    public static func draft(_ reader: JSONObjectReader, kind: NodeKind) throws(ProvenanceError) -> NodeDraft {
        try reader.rejectUnknown(createFields)
        guard let type = try typeReference(reader) else {
            throw .invalid(reader.field("type_id"), "a new \(kind.rawValue) needs type_id, or type (and type_version)")
        }
        return NodeDraft(
            kind: kind, type: type, name: try reader.string("name"), externalID: try reader.string("external_id"),
            uri: try reader.string("uri"), state: try state(reader, kind: kind),
            properties: try properties(reader, "properties"), customProperties: try properties(reader, "custom_properties"))
    }

    /// Changes to a node: fields present are set (null clears), property maps merge (a null value removes the
    /// property), and `revision` makes the change conditional like If-Match.
    public static func patch(_ reader: JSONObjectReader, kind: NodeKind) throws(ProvenanceError) -> NodePatch {
        var patch = NodePatch()
        if reader.contains("name") { patch.name = .set(try reader.string("name")) }
        if reader.contains("external_id") { patch.externalID = .set(try reader.string("external_id")) }
        if reader.contains("uri") { patch.uri = .set(try reader.string("uri")) }
        if let field = kind.stateField, reader.contains(field) || reader.contains("state") {
            patch.state = .set(try state(reader, kind: kind) ?? 0)
        } else if reader.contains("state") || reader.contains("last_known_state") {
            throw .invalid(reader.field("state"), "\(kind.plural) have no state")
        }
        patch.properties = try propertyPatch(reader, "properties")
        patch.customProperties = try propertyPatch(reader, "custom_properties")
        patch.expectedRevision = try reader.int("revision")
        return patch
    }

    public static func typeReference(_ reader: JSONObjectReader) throws(ProvenanceError) -> TypeReference? {
        if let id = try reader.int("type_id") { return .id(TypeID(id)) }
        if let name = try reader.string("type") { return .name(name, version: try reader.string("type_version")) }
        return nil
    }

    /// The state field (`state` for artifacts, `last_known_state` for executions; either name is accepted), by
    /// MLMD name or number.
    public static func state(_ reader: JSONObjectReader, kind: NodeKind) throws(ProvenanceError) -> Int16? {
        let key = reader.value(kind.stateField ?? "state") != nil ? (kind.stateField ?? "state") : "state"
        guard let value = reader.value(key) else { return nil }
        func field() -> String { reader.field(key) }
        guard kind.stateField != nil else { throw .invalid(field(), "\(kind.plural) have no state") }
        switch value {
        case .string(let name):
            guard let state = kind.state(named: name) else {
                throw .invalid(field(), "unknown state '\(name)'; expected one of \(kind.stateNames.joined(separator: ", "))")
            }
            return state
        case .int(let number) where kind.stateNames.indices.contains(Int(number)):
            return Int16(number)
        default:
            throw .invalid(field(), "expected one of \(kind.stateNames.joined(separator: ", "))")
        }
    }

    public static func properties(_ reader: JSONObjectReader, _ key: String) throws(ProvenanceError) -> [String: PropertyInput] {
        guard let members = try reader.members(key) else { return [:] }
        var result: [String: PropertyInput] = [:]
        for entry in members { result[entry.key] = .json(entry.value) }
        return result
    }

    public static func propertyPatch(_ reader: JSONObjectReader, _ key: String) throws(ProvenanceError) -> PropertyPatch {
        guard let members = try reader.members(key) else { return PropertyPatch() }
        var patch = PropertyPatch()
        for entry in members {
            if entry.value == .null { patch.remove.append(entry.key) } else { patch.set[entry.key] = .json(entry.value) }
        }
        return patch
    }
}

extension WireNode {
    /// What is left of a deleted node: `{"kind", "id", "type_id", "name"?, "uri"?, "deleted": true,
    /// "delete_time_since_epoch", "deleted_by"}` (times in milliseconds, as the nodes' own).
    public static func json(_ tombstone: Tombstone) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "kind", value: .string(tombstone.kind.rawValue)), (key: "id", value: .int(tombstone.id)),
            (key: "type_id", value: .int(tombstone.typeID.rawValue)),
        ]
        if let name = tombstone.name { members.append((key: "name", value: .string(name))) }
        if let uri = tombstone.uri { members.append((key: "uri", value: .string(uri))) }
        members += [
            (key: "deleted", value: .bool(true)),
            (key: "delete_time_since_epoch", value: .int(tombstone.deleteTime / 1000)),
            (key: "deleted_by", value: .string(tombstone.deletedBy)),
        ]
        return .object(members)
    }
}
