import ProvenanceCore

extension MlMetadata_Event {
    /// The message of a stored event.
    init(_ event: Event) {
        self.init()
        artifactID = event.artifactID.rawValue
        executionID = event.executionID.rawValue
        type = TypeEnum(rawValue: Int(event.type.rawValue)) ?? .unknown
        if !event.path.isEmpty {
            path.steps = event.path.map { step in
                var message = MlMetadata_Event.Path.Step()
                switch step {
                case .index(let index): message.index = index
                case .key(let key): message.key = key
                }
                return message
            }
        }
        if let milliseconds = event.millisecondsSinceEpoch { millisecondsSinceEpoch = milliseconds }
    }

    /// The event type, required on every event written; `field` names the event in errors.
    func eventType(field: String) throws(ProvenanceError) -> EventType {
        guard hasType, let type = EventType(rawValue: Int16(type.rawValue)), type != .unknown else {
            throw .invalid(field + ".type", "an event needs a type other than UNKNOWN")
        }
        return type
    }

    /// The path steps; a step with neither index nor key is an error.
    func steps(field: String) throws(ProvenanceError) -> [EventStep] {
        var steps: [EventStep] = []
        for (offset, step) in path.steps.enumerated() {
            switch step.value {
            case .index(let index)?: steps.append(.index(index))
            case .key(let key)?: steps.append(.key(key))
            case nil: throw .invalid("\(field).path.steps[\(offset)]", "a step needs an index or a key")
            }
        }
        return steps
    }

    /// The stored event this message asks for; both ends must be given.
    func event(field: String) throws(ProvenanceError) -> Event {
        guard hasArtifactID else { throw .invalid(field + ".artifact_id", "is required") }
        guard hasExecutionID else { throw .invalid(field + ".execution_id", "is required") }
        return Event(
            artifactID: ArtifactID(artifactID), executionID: ExecutionID(executionID), type: try eventType(field: field),
            path: try steps(field: field), millisecondsSinceEpoch: hasMillisecondsSinceEpoch ? millisecondsSinceEpoch : nil)
    }

    /// The edge this message adds between two nodes of a composite write.
    func edge(artifactIndex: Int, executionIndex: Int, field: String) throws(ProvenanceError) -> EventEdge {
        EventEdge(
            artifactIndex: artifactIndex, executionIndex: executionIndex, type: try eventType(field: field),
            path: try steps(field: field), millisecondsSinceEpoch: hasMillisecondsSinceEpoch ? millisecondsSinceEpoch : nil)
    }
}
