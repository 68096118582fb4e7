import Hummingbird
import ProvenanceAPI
import ProvenanceCore

extension APIRoutes {
    func registerEvents(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.post("events") { request, context in
            let reader = try JSONObjectReader(try await body(request), path: "")
            try reader.rejectUnknown(["events"])
            guard let elements = try reader.array("events"), !elements.isEmpty else {
                throw ProvenanceError.invalid("events", "expected a non-empty array")
            }
            let events = try elements.enumerated().map { offset, json throws(ProvenanceError) in
                try WireEvent.event(json, path: "events[\(offset)]")
            }
            try await store.createEvents(events, namespace: try context.namespace())
            return JSONResponse.make(["events": .array(events.map(WireEvent.json))], status: .created)
        }
        namespace.get("events") { request, context in
            let artifacts = try ids(request, "artifact_id")
            let executions = try ids(request, "execution_id")
            guard !artifacts.isEmpty || !executions.isEmpty else {
                throw ProvenanceError.invalid("artifact_id", "give artifact_id or execution_id (repeatable)")
            }
            return try await events(
                artifacts: artifacts.map(ArtifactID.init), executions: executions.map(ExecutionID.init), context: context)
        }
        namespace.get("artifacts/{id}/events") { _, context in
            try await events(artifacts: [ArtifactID(try context.id())], executions: [], context: context)
        }
        namespace.get("executions/{id}/events") { _, context in
            try await events(artifacts: [], executions: [ExecutionID(try context.id())], context: context)
        }
    }

    private func events(artifacts: [ArtifactID], executions: [ExecutionID], context: APIRequestContext) async throws
        -> Response
    {
        let events = try await store.events(namespace: try context.namespace(), artifactIDs: artifacts, executionIDs: executions)
        return JSONResponse.make(["events": .array(events.map(WireEvent.json))])
    }

    /// A repeatable id query parameter (`?artifact_id=1&artifact_id=2`, or comma-separated).
    private func ids(_ request: Request, _ name: String) throws -> [Int64] {
        try request.uri.queryParameters.getAll(name).flatMap { $0.split(separator: ",") }.map { text in
            guard let id = Int64(text) else { throw ProvenanceError.invalid(name, "expected an integer id, got '\(text)'") }
            return id
        }
    }
}
