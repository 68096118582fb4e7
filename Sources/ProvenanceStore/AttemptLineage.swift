import ProvenanceCore

/// Builds the lineage write that records what the engine did: executions for attempts and cache hits, the
/// artifacts they read and wrote, the events between them, and their links to run contexts. Stored nodes are named
/// by id once each, however many executions refer to them.
struct AttemptLineage {
    /// The write built so far.
    private(set) var write = LineageWrite(attributions: [], associations: [])
    private var artifactIndex: [Int64: Int] = [:]
    private var contextIndex: [Int64: Int] = [:]
    /// The events added, so one artifact read through two inputs (both wired to one upstream output, or two
    /// upstream steps served from one cached task) is one event, as MLMD records it, not a duplicate refused.
    private var events: Set<EventKey> = []
    private var attributions: Set<EventKey> = []

    private struct EventKey: Hashable {
        let artifact: Int
        let other: Int
        let type: EventType?
    }

    /// Adds a new execution of type `type` in `state`, associated with context `context`; returns its index.
    mutating func execution(type: Int64, state: Int16, properties: [String: PropertyInput], context: Int64) -> Int {
        write.executions.append(.create(NodeDraft(
            kind: .execution, type: .id(TypeID(type)), state: state, customProperties: properties)))
        let index = write.executions.count - 1
        write.associations!.append(IndexLink(contextIndex: self.context(context), nodeIndex: index))
        return index
    }

    /// Adds a change to the stored execution `id`; returns its index.
    mutating func update(execution id: Int64, _ patch: NodePatch) -> Int {
        write.executions.append(.update(id: id, patch))
        return write.executions.count - 1
    }

    /// Adds a new artifact, attributed to context `context`; returns its index.
    mutating func artifact(_ draft: NodeDraft, attributedTo context: Int64) -> Int {
        write.artifacts.append(.create(draft))
        let index = write.artifacts.count - 1
        write.attributions!.append(IndexLink(contextIndex: self.context(context), nodeIndex: index))
        return index
    }

    /// Adds an event of `type` between the execution at index `execution` and the stored artifact `artifact`,
    /// attributing the artifact to `context` too when given.
    mutating func event(execution: Int, artifact: Int64, type: EventType, attributedTo context: Int64? = nil) {
        let index = storedArtifact(artifact)
        event(execution: execution, artifactIndex: index, type: type)
        if let context {
            let contextIndex = self.context(context)
            if attributions.insert(EventKey(artifact: index, other: contextIndex, type: nil)).inserted {
                write.attributions!.append(IndexLink(contextIndex: contextIndex, nodeIndex: index))
            }
        }
    }

    /// Adds an event of `type` between the execution and the artifact at the given indexes (once).
    mutating func event(execution: Int, artifactIndex: Int, type: EventType) {
        guard events.insert(EventKey(artifact: artifactIndex, other: execution, type: type)).inserted else { return }
        write.events.append(EventEdge(artifactIndex: artifactIndex, executionIndex: execution, type: type))
    }

    private mutating func storedArtifact(_ id: Int64) -> Int {
        if let index = artifactIndex[id] { return index }
        write.artifacts.append(.update(id: id, NodePatch()))
        artifactIndex[id] = write.artifacts.count - 1
        return write.artifacts.count - 1
    }

    private mutating func context(_ id: Int64) -> Int {
        if let index = contextIndex[id] { return index }
        write.contexts.append(.update(id: id, NodePatch()))
        contextIndex[id] = write.contexts.count - 1
        return write.contexts.count - 1
    }
}
