import ProvenanceCore

/// Configuration layers on the wire: the layer as written, with `revision` and its times.
public enum WireLayer {
    /// A stored layer.
    public static func json(_ layer: ConfigurationLayer, revision: Int64, createTime: Int64, updateTime: Int64) -> JSON {
        guard case .object(var members) = layer.json else { return layer.json }
        members += [
            (key: "revision", value: .int(revision)), (key: "create_time_since_epoch", value: .int(createTime / 1000)),
            (key: "update_time_since_epoch", value: .int(updateTime / 1000)),
        ]
        return .object(members)
    }

    /// Reads a layer answer (the layer as written; the stored extras are left aside).
    public static func layer(_ json: JSON) throws(ProvenanceError) -> ConfigurationLayer {
        guard case .object(let members) = json else { throw .invalid("layer", "expected an object") }
        let stored: Set<String> = ["revision", "create_time_since_epoch", "update_time_since_epoch"]
        return try ConfigurationLayer(json: .object(members.filter { !stored.contains($0.key) }))
    }
}
