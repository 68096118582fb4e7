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
            return JSONResponse.make(WireRun.json(run, namespace: namespaceName, withTasks: false), status: .created)
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

    /// A page of runs, newest first: `pipeline`, `state` and `labels=key=value,key=value` filter it.
    private func listRuns(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        var filter = RunListFilter(pipeline: try request.query("pipeline"))
        if let state = try request.query("state") {
            guard let parsed = RunState(name: state) else {
                throw ProvenanceError.invalid("state", "unknown run state '\(state)'; expected one of \(RunState.allCases.map(\.name).joined(separator: ", "))")
            }
            filter.state = parsed
        }
        if let labels = try request.query("labels") { filter.labels = try RunRequest.labelFilter(labels) }
        let size = try request.queryInt("page_size").map { try PageRequest.checkSize(Int(clamping: $0)) } ?? PageRequest.defaultSize
        let fingerprint = "runs|\(filter.fingerprint)"
        var before: RunID?
        if let token = try request.query("page_token"), !token.isEmpty {
            before = RunID(try PageToken.decode(token, fingerprint: fingerprint).id)
        }
        let namespaceName = try context.namespace()
        let page = try await store.listRuns(namespace: namespaceName, filter: filter, size: size, before: before)
        var members: [(key: String, value: JSON)] = [(key: "runs", value: .array(page.items.map { WireRun.json($0, namespace: namespaceName, withTasks: false) }))]
        if let next = page.next {
            members.append((key: "next_page_token", value: .string(PageToken.encode(next, fingerprint: fingerprint))))
        }
        return JSONResponse.make(.object(members))
    }
}
