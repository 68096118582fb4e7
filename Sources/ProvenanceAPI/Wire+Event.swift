import ProvenanceCore

/// The REST representation of events.
public enum WireEvent {
    public static func json(_ event: Event) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "artifact_id", value: .int(event.artifactID.rawValue)),
            (key: "execution_id", value: .int(event.executionID.rawValue)),
            (key: "type", value: .string(event.type.name)),
            (key: "path", value: .array(event.path.map(\.json))),
        ]
        if let time = event.millisecondsSinceEpoch { members.append((key: "milliseconds_since_epoch", value: .int(time))) }
        return .object(members)
    }

    public static func type(_ reader: JSONObjectReader, _ key: String = "type") throws(ProvenanceError) -> EventType? {
        guard let name = try reader.string(key) else { return nil }
        guard let type = EventType(name: name) else {
            throw .invalid(reader.field(key), "unknown event type '\(name)'; expected one of \(EventType.allCases.map(\.name).joined(separator: ", "))")
        }
        return type
    }

    public static func path(_ reader: JSONObjectReader) throws(ProvenanceError) -> [EventStep] {
        var steps: [EventStep] = []
        for (offset, step) in (try reader.array("path") ?? []).enumerated() {
            steps.append(try EventStep.from(step, path: reader.field("path[\(offset)]")))
        }
        return steps
    }

    /// An event between existing nodes (POST events).
    public static func event(_ json: JSON, path: String) throws(ProvenanceError) -> Event {
        let reader = try JSONObjectReader(json, path: path)
        try reader.rejectUnknown(["artifact_id", "execution_id", "type", "path", "milliseconds_since_epoch"])
        guard let artifact = try reader.int("artifact_id") else { throw .invalid(reader.field("artifact_id"), "is required") }
        guard let execution = try reader.int("execution_id") else { throw .invalid(reader.field("execution_id"), "is required") }
        guard let type = try type(reader) else { throw .invalid(reader.field("type"), "is required") }
        return Event(
            artifactID: ArtifactID(artifact), executionID: ExecutionID(execution), type: type, path: try self.path(reader),
            millisecondsSinceEpoch: try reader.int("milliseconds_since_epoch"))
    }

    /// An event between nodes of a lineage:record request, by index.
    public static func edge(_ reader: JSONObjectReader) throws(ProvenanceError) -> EventEdge {
        try reader.rejectUnknown(["artifact_index", "execution_index", "type", "path", "milliseconds_since_epoch"])
        guard let artifact = try reader.int("artifact_index") else { throw .invalid(reader.field("artifact_index"), "is required") }
        guard let execution = try reader.int("execution_index") else { throw .invalid(reader.field("execution_index"), "is required") }
        guard let type = try type(reader) else { throw .invalid(reader.field("type"), "is required") }
        return EventEdge(
            artifactIndex: Int(clamping: artifact), executionIndex: Int(clamping: execution), type: type,
            path: try self.path(reader), millisecondsSinceEpoch: try reader.int("milliseconds_since_epoch"))
    }
}
