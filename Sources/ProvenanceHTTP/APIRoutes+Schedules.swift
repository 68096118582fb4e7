import Hummingbird
import ProvenanceAPI
import ProvenanceCore

extension APIRoutes {
    /// Schedules: create or apply (JSON or YAML), read, list, pause, resume, delete, and their ticks.
    func registerSchedules(_ namespace: RouterGroup<APIRequestContext>) {
        namespace.post("schedules") { request, context in
            let spec = try ScheduleSpec(json: try await JSONResponse.spec(of: request, limit: limits.maximumBodyBytes))
            let (schedule, _) = try await store.applySchedule(
                spec, namespace: try context.namespace(), replace: false, actor: context.actor)
            return JSONResponse.make(WireSchedule.json(schedule), status: .created)
        }
        namespace.put("schedules/{name}") { request, context in
            let name = try context.text("name")
            let spec = try ScheduleSpec(json: try Self.naming(try await JSONResponse.spec(of: request, limit: limits.maximumBodyBytes), name))
            let (schedule, changed) = try await store.applySchedule(
                spec, namespace: try context.namespace(), replace: true, actor: context.actor)
            let created = changed && schedule.revision == 1
            return JSONResponse.make(WireSchedule.json(schedule), status: created ? .created : .ok)
        }
        namespace.get("schedules") { request, context in
            let schedules = try await store.listSchedules(namespace: try context.namespace(), pipeline: try request.query("pipeline"))
            return JSONResponse.make(["schedules": .array(schedules.map(WireSchedule.json))])
        }
        namespace.get("schedules/{name}") { _, context in
            JSONResponse.make(WireSchedule.json(try await store.schedule(try context.text("name"), namespace: try context.namespace())))
        }
        namespace.delete("schedules/{name}") { _, context in
            try await store.deleteSchedule(try context.text("name"), namespace: try context.namespace(), actor: context.actor)
            return Response(status: .noContent)
        }
        namespace.post("schedules/{name}:pause") { _, context in
            let schedule = try await store.pauseSchedule(try context.text("name"), namespace: try context.namespace(), actor: context.actor)
            return JSONResponse.make(WireSchedule.json(schedule))
        }
        namespace.post("schedules/{name}:resume") { request, context in
            let schedule = try await store.resumeSchedule(
                try context.text("name"), namespace: try context.namespace(), backfill: try Self.backfill(request),
                actor: context.actor)
            return JSONResponse.make(WireSchedule.json(schedule))
        }
        namespace.get("schedules/{name}/ticks") { request, context in
            try await listTicks(request, context)
        }
    }

    /// A page of a schedule's ticks, newest first; `state` filters them.
    private func listTicks(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let name = try context.text("name")
        let query = request.queryString
        var state: TickState?
        if let text = try query.value("state") {
            guard let parsed = TickState(name: text) else {
                throw ProvenanceError.invalid(
                    "state", "unknown tick state '\(text)'; expected one of \(TickState.allCases.map(\.name).joined(separator: ", "))")
            }
            state = parsed
        }
        let size = try PageRequest.checkSize(Int(clamping: try query.integer("page_size") ?? Int64(PageRequest.defaultSize)))
        let fingerprint = "ticks|\(name)|\(state?.name ?? "")"
        let before = try query.value("page_token").map { token throws(ProvenanceError) in
            try PageToken.decode(token, fingerprint: fingerprint)
        }
        let namespaceName = try context.namespace()
        let schedule = try await store.schedule(name, namespace: namespaceName)
        let page = try await store.scheduleTicks(name, namespace: namespaceName, state: state, size: size, before: before)
        var members: [(key: String, value: JSON)] = [
            (key: "ticks", value: .array(page.items.map { WireSchedule.json($0, spec: schedule.spec) }))
        ]
        if let next = page.next { members.append((key: "next_page_token", value: .string(PageToken.encode(next, fingerprint: fingerprint)))) }
        return JSONResponse.make(.object(members))
    }

    /// The body of a PUT, with the path's name filled in (or checked against the body's).
    static func naming(_ json: JSON, _ name: String) throws -> JSON {
        guard case .object(var members) = json else { return json }
        if let given = members.first(where: { $0.key == "name" })?.value {
            guard given == .string(name) else {
                throw ProvenanceError.invalid("name", "the body names another object than the path ('\(name)')")
            }
        } else {
            members.insert((key: "name", value: .string(name)), at: 0)
        }
        return .object(members)
    }

    /// `?backfill=true`: resuming makes the paused window's fires (as the catch-up policy says).
    private static func backfill(_ request: Request) throws -> Bool {
        guard let text = try request.query("backfill") else { return false }
        guard text == "true" || text == "false" else { throw ProvenanceError.invalid("backfill", "expected true or false, got '\(text)'") }
        return text == "true"
    }
}
