import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// The most ids one event read may name.
    public static let maximumEventQueryIDs = 1000

    /// Events touching any of the given artifacts or executions in `namespace`, ordered by artifact, execution
    /// and type.
    public func events(namespace: String, artifactIDs: [ArtifactID], executionIDs: [ExecutionID])
        async throws(ProvenanceError) -> [Event]
    {
        guard artifactIDs.count + executionIDs.count <= Self.maximumEventQueryIDs else {
            throw .invalid("", "at most \(Self.maximumEventQueryIDs) ids per event query")
        }
        let namespaceID = try await namespaceID(namespace)
        let artifacts = artifactIDs.map(\.rawValue)
        let executions = executionIDs.map(\.rawValue)
        return try await eventRows(
            """
            SELECT \(unescaped: EventRow.selectColumns)
            FROM events e JOIN artifacts a ON a.id = e.artifact_id
            WHERE a.namespace_id = \(namespaceID.rawValue)
                AND (e.artifact_id = ANY(\(artifacts)) OR e.execution_id = ANY(\(executions)))
            ORDER BY e.artifact_id, e.execution_id, e.type
            """)
    }

    /// Runs a query selecting artifact id, execution id, type, path as text and time in milliseconds.
    private func eventRows(_ query: PostgresQuery) async throws(ProvenanceError) -> [Event] {
        try await perform { [self] connection in
            let collected: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: logger)
            var result: [Event] = []
            for row in try await collected.get().rows {
                result.append(try EventRow.event(row.decode(EventRow.Columns.self)))
            }
            return result
        }
    }

    /// Records events between existing artifacts and executions, all or none. A duplicate (same artifact,
    /// execution and type) is `alreadyExists`.
    public func createEvents(_ events: [Event], namespace: String) async throws(ProvenanceError) {
        var artifactIndex: [ArtifactID: Int] = [:]
        var executionIndex: [ExecutionID: Int] = [:]
        var edges: [EventEdge] = []
        for event in events {
            let a = artifactIndex[event.artifactID] ?? artifactIndex.count
            artifactIndex[event.artifactID] = a
            let x = executionIndex[event.executionID] ?? executionIndex.count
            executionIndex[event.executionID] = x
            edges.append(
                EventEdge(
                    artifactIndex: a, executionIndex: x, type: event.type, path: event.path,
                    millisecondsSinceEpoch: event.millisecondsSinceEpoch))
        }
        let write = LineageWrite(
            artifacts: Self.references(artifactIndex.mapKeys(\.rawValue)),
            executions: Self.references(executionIndex.mapKeys(\.rawValue)),
            events: edges, attributions: [], associations: [])
        _ = try await self.write(write, namespace: namespace)
    }

    /// Existing nodes by id, unchanged, in the order of their index.
    static func references(_ indexByID: [Int64: Int]) -> [NodeWrite] {
        indexByID.sorted { $0.value < $1.value }.map { NodeWrite.update(id: $0.key, NodePatch()) }
    }
}

extension Dictionary {
    func mapKeys<NewKey: Hashable>(_ transform: (Key) -> NewKey) -> [NewKey: Value] {
        Dictionary<NewKey, Value>(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}

/// Decoding of the columns of `EventRow.selectColumns`.
enum EventRow {
    /// The time of an event aliased `e`, in milliseconds.
    static let millisecondsColumn = "(extract(epoch FROM e.time) * 1000)::int8"
    /// Artifact id, execution id, type, path as text and time in milliseconds, of events aliased `e`.
    static let selectColumns = "e.artifact_id, e.execution_id, e.type, e.path::text, \(millisecondsColumn)"
    typealias Columns = (Int64, Int64, Int16, String, Int64)

    static func event(_ columns: Columns) throws(ProvenanceError) -> Event {
        let (artifact, execution, type, path, milliseconds) = columns
        return event(artifact: artifact, execution: execution, type: type, path: try JSONParser.parse(path), milliseconds: milliseconds)
    }

    /// An event from its columns, the path already parsed.
    static func event(artifact: Int64, execution: Int64, type: Int16, path: JSON, milliseconds: Int64) -> Event {
        var steps: [EventStep] = []
        if case .array(let elements) = path {
            steps = elements.compactMap { try? EventStep.from($0, path: "path") }
        }
        return Event(
            artifactID: ArtifactID(artifact), executionID: ExecutionID(execution), type: EventType(rawValue: type) ?? .unknown,
            path: steps, millisecondsSinceEpoch: milliseconds)
    }
}
