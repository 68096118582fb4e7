import Hummingbird
import ProvenanceAPI
import ProvenanceCore
import ProvenanceStore

extension APIRoutes {
    /// The executor protocol: register, lease (a long poll), heartbeat, report logs and outcomes. An executor serves
    /// the namespaces its credential holds (all, or some), so these live outside them; leases come only from those.
    func registerExecutors(_ api: RouterGroup<APIRequestContext>) {
        api.post("executors") { request, _ in
            let registration = try ExecutorRegistration(json: try await body(request))
            let executor = try await store.registerExecutor(
                name: registration.name, labels: registration.labels, capacity: registration.capacity)
            return JSONResponse.make(executorJSON(executor), status: .created)
        }
        api.get("executors") { _, _ in
            let executors = try await store.listExecutors(seenWithin: store.options.executorLiveness)
            return JSONResponse.make(["executors": .array(executors.map(executorJSON))])
        }
        api.post("executors/{id}:lease") { request, context in
            let poll = try LeasePoll(json: try await body(request))
            var leases = try await engine.lease(
                executor: ExecutorID(try context.id()), available: poll.available, maximum: poll.maximum, wait: poll.wait,
                namespaces: context.principal.namespaces)
            for index in leases.indices { leases[index].requestID = context.requestID }
            return JSONResponse.make(LeaseGrant(leases: leases).json)
        }
        api.post("executors/{id}:heartbeat") { request, context in
            let tokens = try Heartbeat(json: try await body(request)).tokens
            // The leases' fencing tokens are the credential of what they extend, so a step never fails because its
            // executor's token expired. The executor's own token (if valid) also vouches that it is alive; without
            // either, a heartbeat holding no lease proves nothing and is refused.
            let vouched = await executorTokenVouches(request, context)
            guard vouched || !tokens.isEmpty else {
                throw ProvenanceError(
                    .unauthenticated, "a heartbeat without leases needs the executor's token (Authorization: Bearer)")
            }
            return JSONResponse.make(HeartbeatAnswer(
                statuses: try await engine.heartbeat(executor: ExecutorID(try context.id()), tokens: tokens, vouched: vouched)).json)
        }
        api.post("leases:complete") { request, _ in
            let completion = try CompletionReport(json: try await body(request))
            return JSONResponse.make(WireExecutor.json(try await engine.complete(completion.token, report: completion.report)))
        }
        api.post("leases:fail") { request, _ in
            let report = try FailureReport(json: try await body(request))
            return JSONResponse.make(WireExecutor.json(try await engine.fail(report.token, failure: report.failure)))
        }
        api.post("leases:logs") { request, _ in
            let batch = try LogBatch(json: try await body(request))
            try await engine.appendLogs(batch.token, lines: batch.lines)
            return Response(status: .noContent)
        }
        api.post("leases:metrics") { request, _ in
            let batch = try MetricLeaseBatch(json: try await body(request))
            let written = try await engine.appendMetrics(batch.token, points: batch.points)
            return JSONResponse.make(MetricWriteAnswer(written: written, series: Set(batch.points.map(\.name)).count).json)
        }
    }

    private func executorJSON(_ executor: ExecutorInfo) -> JSON {
        RegisteredExecutor(
            executor: executor, leaseDuration: engine.settings.leaseDuration, heartbeatInterval: engine.settings.heartbeatInterval
        ).json
    }

    /// Whether the request carries a valid token of the executor role (an open server vouches for everyone).
    private func executorTokenVouches(_ request: Request, _ context: APIRequestContext) async -> Bool {
        guard let principal = try? await authorizer.authenticate(
            authorization: request.headers[.authorization], certificateSubject: context.certificateSubject)
        else { return false }
        return principal.roles.contains(.executor)
    }
}
