import ProvenanceCore

/// Schedules and their ticks on the wire. A schedule is `{"name", "id", "state", "spec": {the schedule as written},
/// "revision", "next_fire_time", "last_fire", "last_tick", "active_runs", "queued_ticks", ...}`; times are RFC 3339
/// in the schedule's zone, with `_since_epoch` milliseconds beside them.
public enum WireSchedule {
    /// ACTIVE, PAUSED, or ENDED (no fire left).
    public static func state(_ schedule: StoredSchedule) -> String {
        schedule.paused ? "PAUSED" : schedule.nextFire == nil ? "ENDED" : "ACTIVE"
    }

    /// A schedule.
    public static func json(_ schedule: StoredSchedule) -> JSON {
        var members: [(key: String, value: JSON)] = [
            (key: "name", value: .string(schedule.spec.name)), (key: "id", value: .int(schedule.id.rawValue)),
            (key: "state", value: .string(state(schedule))), (key: "spec", value: schedule.spec.json),
            (key: "revision", value: .int(schedule.revision)),
        ]
        if let next = schedule.nextFire { members += time("next_fire_time", next, spec: schedule.spec) }
        members += time("cursor_time", schedule.cursor, spec: schedule.spec)
        if let last = schedule.lastFire { members.append((key: "last_fire", value: json(last, spec: schedule.spec))) }
        if let last = schedule.lastTick { members.append((key: "last_tick", value: json(last, spec: schedule.spec))) }
        members += [
            (key: "active_runs", value: .int(Int64(schedule.activeRuns))), (key: "queued_ticks", value: .int(Int64(schedule.queuedTicks))),
            (key: "create_time_since_epoch", value: .int(schedule.createTime / 1000)),
            (key: "update_time_since_epoch", value: .int(schedule.updateTime / 1000)),
        ]
        return .object(members)
    }

    /// One tick.
    public static func json(_ tick: ScheduleTick, spec: ScheduleSpec) -> JSON {
        var members = time("nominal_time", tick.nominalTime, spec: spec)
        if let artifact = tick.artifactID { members.append((key: "artifact_id", value: .int(artifact.rawValue))) }
        members.append((key: "state", value: .string(tick.state.name)))
        if let reason = tick.reason { members.append((key: "reason", value: .string(reason))) }
        if let run = tick.runID { members.append((key: "run_id", value: .int(run.rawValue))) }
        members.append((key: "revision", value: .int(tick.revision)))
        members.append((key: "record_time_since_epoch", value: .int(tick.recordTime / 1000)))
        if let fired = tick.fireTime { members.append((key: "fire_time_since_epoch", value: .int(fired / 1000))) }
        return .object(members)
    }

    /// `NAME` as RFC 3339 text in the schedule's zone, and `NAME_since_epoch` in milliseconds.
    private static func time(_ name: String, _ micros: Int64, spec: ScheduleSpec) -> [(key: String, value: JSON)] {
        [(key: name, value: .string(spec.scheduledTimeText(micros))), (key: "\(name)_since_epoch", value: .int(micros / 1000))]
    }

    // MARK: Reading answers (the client)

    /// Reads a schedule answer.
    public static func schedule(_ json: JSON) throws(ProvenanceError) -> StoredSchedule {
        let reader = try JSONObjectReader(json, path: "schedule")
        guard let specJSON = reader.value("spec") else { throw .invalid("schedule.spec", "is missing") }
        let spec = try ScheduleSpec(json: specJSON)
        return StoredSchedule(
            id: ScheduleID(try WirePipeline.required(reader, "id")), spec: spec, revision: try reader.int("revision") ?? 1,
            paused: try reader.string("state") == "PAUSED", cursor: (try reader.int("cursor_time_since_epoch") ?? 0) * 1000,
            nextFire: try reader.int("next_fire_time_since_epoch").map { $0 * 1000 },
            queuedTicks: Int(try reader.int("queued_ticks") ?? 0), activeRuns: Int(try reader.int("active_runs") ?? 0),
            lastFire: try reader.value("last_fire").map { value throws(ProvenanceError) in try tick(value) },
            lastTick: try reader.value("last_tick").map { value throws(ProvenanceError) in try tick(value) },
            createTime: (try reader.int("create_time_since_epoch") ?? 0) * 1000,
            updateTime: (try reader.int("update_time_since_epoch") ?? 0) * 1000)
    }

    /// Reads a tick answer.
    public static func tick(_ json: JSON) throws(ProvenanceError) -> ScheduleTick {
        let reader = try JSONObjectReader(json, path: "tick")
        let stateName = try reader.requiredString("state")
        guard let state = TickState(name: stateName) else { throw .invalid("tick.state", "unknown tick state '\(stateName)'") }
        return ScheduleTick(
            id: 0, nominalTime: try WirePipeline.required(reader, "nominal_time_since_epoch") * 1000,
            artifactID: try reader.int("artifact_id").map(ArtifactID.init), state: state,
            reason: try reader.string("reason"), runID: try reader.int("run_id").map(RunID.init),
            revision: try reader.int("revision") ?? 1, recordTime: (try reader.int("record_time_since_epoch") ?? 0) * 1000,
            fireTime: try reader.int("fire_time_since_epoch").map { $0 * 1000 })
    }
}
