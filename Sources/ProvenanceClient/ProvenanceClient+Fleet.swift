import ProvenanceAPI
import ProvenanceCore

extension ProvenanceClient {
    /// Creates or replaces schedule `spec.name` (the same spec again changes nothing).
    public func applySchedule(_ spec: ScheduleSpec) async throws(ProvenanceError) -> Applied<StoredSchedule> {
        let (status, json) = try await send(.PUT, namespaced("/schedules/\(Self.encoded(spec.name))"), json: spec.json)
        return Applied(try WireSchedule.schedule(json), created: status == 201)
    }

    /// The schedules, by name (of one pipeline, when given).
    public func schedules(pipeline: String? = nil) async throws(ProvenanceError) -> [StoredSchedule] {
        let query = pipeline.map { "?pipeline=\(Self.encoded($0))" } ?? ""
        return try Self.items(try await send(.GET, namespaced("/schedules\(query)")).json, "schedules") { item throws(ProvenanceError) in
            try WireSchedule.schedule(item)
        }
    }

    /// Schedule `name`.
    public func schedule(_ name: String) async throws(ProvenanceError) -> StoredSchedule {
        try WireSchedule.schedule(try await send(.GET, namespaced("/schedules/\(Self.encoded(name))")).json)
    }

    /// Pauses schedule `name`.
    public func pauseSchedule(_ name: String) async throws(ProvenanceError) -> StoredSchedule {
        try WireSchedule.schedule(try await send(.POST, namespaced("/schedules/\(Self.encoded(name)):pause")).json)
    }

    /// Resumes schedule `name`; with `backfill`, the paused window's fires are made as its catch-up policy says.
    public func resumeSchedule(_ name: String, backfill: Bool = false) async throws(ProvenanceError) -> StoredSchedule {
        try WireSchedule.schedule(
            try await send(.POST, namespaced("/schedules/\(Self.encoded(name)):resume\(backfill ? "?backfill=true" : "")")).json)
    }

    /// Deletes schedule `name` (its runs stay).
    public func deleteSchedule(_ name: String) async throws(ProvenanceError) {
        _ = try await send(.DELETE, namespaced("/schedules/\(Self.encoded(name))"))
    }

    /// A page of schedule `name`'s ticks, newest first, with the token of the next page.
    public func scheduleTicks(_ name: String, state: TickState? = nil, pageSize: Int = 100, pageToken: String? = nil)
        async throws(ProvenanceError) -> ListPage<ScheduleTick>
    {
        var query = QueryString()
        query.append("page_size", String(pageSize))
        if let state { query.append("state", state.name) }
        if let pageToken { query.append("page_token", pageToken) }
        let json = try await send(.GET, namespaced("/schedules/\(Self.encoded(name))/ticks?" + query.encoded)).json
        let ticks = try Self.items(json, "ticks") { item throws(ProvenanceError) in try WireSchedule.tick(item) }
        let next: String? = if case .string(let token)? = json["next_page_token"] { token } else { nil }
        return ListPage(items: ticks, nextPageToken: next)
    }

    /// Creates or replaces configuration layer `layer.name` (the same layer again changes nothing).
    public func applyLayer(_ layer: ConfigurationLayer) async throws(ProvenanceError) -> Applied<ConfigurationLayer> {
        let (status, json) = try await send(.PUT, namespaced("/layers/\(Self.encoded(layer.name))"), json: layer.json)
        return Applied(try WireLayer.layer(json), created: status == 201)
    }
}
