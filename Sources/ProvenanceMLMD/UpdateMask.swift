import ProvenanceCore

/// MLMD's update_mask on Put{Artifacts,Executions,Contexts}: only the named fields of a stored node change. A
/// path names a field (`name`, `external_id`, `uri`, `state`, `last_known_state`), a whole property map
/// (`properties`, `custom_properties`), or one property (`properties.NAME`); a named field or property that the
/// message leaves out is cleared. Paths naming nothing that can change (empty ones, `id`, unknown fields) are
/// ignored, as MLMD ignores them.
struct UpdateMask: Sendable {
    /// The paths, as the client sent them.
    var paths: [String]

    /// The mask of a request, or nil when it names no path (MLMD then replaces the whole node).
    init?(paths: [String]) {
        guard !paths.isEmpty else { return nil }
        self.paths = paths
    }

    /// The patch that applies the masked fields of `message`.
    func patch<Message: MLMDNodeMessage>(
        for message: Message, properties: [String: PropertyInput], custom: [String: PropertyInput]
    ) -> NodePatch {
        var patch = NodePatch()
        for path in paths {
            switch path {
            case "name": patch.name = .set(message.hasName ? message.name : nil)
            case "external_id": patch.externalID = .set(message.hasExternalID ? message.externalID : nil)
            case "uri" where Message.kind.hasURI: patch.uri = .set(message.uriValue)
            case let field where field == Message.kind.stateField: patch.state = .set(message.stateValue)
            case "properties": patch.properties = PropertyPatch(replaceAll: true, set: properties)
            case "custom_properties": patch.customProperties = PropertyPatch(replaceAll: true, set: custom)
            default:
                if let name = path.propertyName(prefix: "properties.") {
                    Self.apply(name, from: properties, to: &patch.properties)
                } else if let name = path.propertyName(prefix: "custom_properties.") {
                    Self.apply(name, from: custom, to: &patch.customProperties)
                }
            }
        }
        return patch
    }

    private static func apply(_ name: String, from given: [String: PropertyInput], to patch: inout PropertyPatch) {
        if let value = given[name] {
            patch.set[name] = value
        } else {
            patch.remove.append(name)
        }
    }
}

extension String {
    /// The rest of the string after `prefix`, when it starts with it and the rest is not empty.
    fileprivate func propertyName(prefix: String) -> String? {
        guard hasPrefix(prefix), count > prefix.count else { return nil }
        return String(dropFirst(prefix.count))
    }
}
