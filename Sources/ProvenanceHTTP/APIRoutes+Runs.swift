import Hummingbird
import ProvenanceAPI
import ProvenanceCore
import ProvenanceStore

extension APIRoutes {
    /// Runs (submit, read, list, cancel, retry), their tasks and the tasks' logs.
    func registerRuns(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.post("runs") { request, context in
            let namespaceName = try context.namespace()
            let run = try await engine.submit(try WireRun.request(try await body(request)), namespace: namespaceName)
            return JSONResponse.make(WireRun.summary(run), status: .created)
        }
        namespace.get("runs") { request, context in
            try await listRuns(request, context)
        }
        namespace.get("runs/{id}") { _, context in
            let namespaceName = try context.namespace()
            return JSONResponse.make(WireRun.json(try await store.run(RunID(try context.id()), namespace: namespaceName), namespace: namespaceName))
        }
        namespace.post("runs/{id}:cancel") { _, context in
            let namespaceName = try context.namespace()
            return JSONResponse.make(WireRun.json(try await engine.cancel(RunID(try context.id()), namespace: namespaceName, actor: context.actor), namespace: namespaceName))
        }
        namespace.post("runs/{id}:retry") { _, context in
            let namespaceName = try context.namespace()
            return JSONResponse.make(WireRun.json(try await engine.retry(RunID(try context.id()), namespace: namespaceName, actor: context.actor), namespace: namespaceName))
        }
        namespace.get("runs/{id}/tasks") { _, context in
            let namespaceName = try context.namespace()
            let tasks = try await store.tasks(ofRun: RunID(try context.id()), namespace: namespaceName)
            return JSONResponse.make(["tasks": .array(tasks.map { WireRun.json($0, namespace: namespaceName) })])
        }
        namespace.get("tasks/{id}") { _, context in
            let namespaceName = try context.namespace()
            return JSONResponse.make(WireRun.json(try await store.task(TaskID(try context.id()), namespace: namespaceName), namespace: namespaceName))
        }
        namespace.get("tasks/{id}/logs") { request, context in
            let limit = try request.queryInt("limit") ?? 1000
            guard (1...10_000).contains(limit) else { throw ProvenanceError.invalid("limit", "must be between 1 and 10000") }
            let attempt = try request.queryInt("attempt")
            if let attempt, attempt < 1 { throw ProvenanceError.invalid("attempt", "must be positive") }
            let lines = try await store.logs(
                task: TaskID(try context.id()), attempt: attempt.map { Int(clamping: $0) }, after: try request.queryInt("after") ?? 0,
                limit: Int(limit), namespace: try context.namespace())
            return JSONResponse.make(WireExecutor.json(lines))
        }
    }

    /// A page of runs, newest first: `pipeline`, `state`, `schedule` and `labels=key=value,key=value` filter it.
    private func listRuns(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let query = try RunListQuery(query: request.queryString)
        let filter = RunListFilter(pipeline: query.pipeline, state: query.state, labels: query.labels, schedule: query.schedule)
        let fingerprint = "runs|\(filter.fingerprint)"
        let before = try query.pageToken.map { token throws(ProvenanceError) in RunID(try PageToken.decode(token, fingerprint: fingerprint).id) }
        let page = try await store.listRuns(namespace: try context.namespace(), filter: filter, size: query.pageSize, before: before)
        let next = page.next.map { PageToken.encode($0, fingerprint: fingerprint) }
        return JSONResponse.make(RunPage(runs: page.items, nextPageToken: next).json)
    }
}
