import Hummingbird
import ProvenanceCore
import ProvenanceStore

extension APIRoutes {
    /// Links between contexts and nodes (PUT, idempotent) and their reads from both sides.
    func registerRelations(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.put("contexts/{id}/artifacts/{artifact_id}") { _, context in
            try await store.attribute(
                ArtifactID(try context.id("artifact_id")), to: ContextID(try context.id()), namespace: try context.namespace())
            return JSONResponse.make(["context_id": .int(try context.id()), "artifact_id": .int(try context.id("artifact_id"))])
        }
        namespace.put("contexts/{id}/executions/{execution_id}") { _, context in
            try await store.associate(
                ExecutionID(try context.id("execution_id")), with: ContextID(try context.id()), namespace: try context.namespace())
            return JSONResponse.make(["context_id": .int(try context.id()), "execution_id": .int(try context.id("execution_id"))])
        }
        namespace.put("contexts/{id}/parents/{parent_id}") { _, context in
            try await store.addParent(
                ContextID(try context.id("parent_id")), to: ContextID(try context.id()), namespace: try context.namespace())
            return JSONResponse.make(["child_id": .int(try context.id()), "parent_id": .int(try context.id("parent_id"))])
        }
        let reads: [(String, @Sendable (Int64) -> NodeRelation)] = [
            ("contexts/{id}/artifacts", { .artifactsOfContext(ContextID($0)) }),
            ("contexts/{id}/executions", { .executionsOfContext(ContextID($0)) }),
            ("contexts/{id}/parents", { .parentsOfContext(ContextID($0)) }),
            ("contexts/{id}/children", { .childrenOfContext(ContextID($0)) }),
            ("artifacts/{id}/contexts", { .contextsOfArtifact(ArtifactID($0)) }),
            ("executions/{id}/contexts", { .contextsOfExecution(ExecutionID($0)) }),
        ]
        for (path, relation) in reads {
            namespace.get(RouterPath(path)) { request, context in
                let relation = relation(try context.id())
                return try await list(relation.listedKind, request: request, context: context, relation: relation)
            }
        }
    }
}
