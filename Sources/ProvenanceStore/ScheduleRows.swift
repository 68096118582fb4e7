import PostgresNIO
import ProvenanceCore

/// Schedules and their ticks as the store selects them: one query shape over `schedules s`, and ticks as JSON
/// objects (a schedule row carries its last fire and last tick in them).
enum ScheduleRows {
    /// The run states that count as active for `max_concurrency`: unfinished, and not being cancelled.
    static let activeRunStates = StateMachine.runs.unfinishedStates.filter { $0 != .canceling }
    /// `activeRunStates` as SQL literals.
    static let activeRunStateList = activeRunStates.map { String($0.rawValue) }.joined(separator: ", ")

    /// A tick row of alias `t` as a JSON object (see `tick(_:)`).
    static func tickJSON(_ t: String) -> String {
        """
        json_build_object('id', \(t).id, 'nominal', \(PostgresStore.microseconds("\(t).nominal_time")), 'artifact', \(t).artifact_id,
            'state', \(t).state,
            'reason', \(t).reason, 'run', \(t).run_id, 'revision', \(t).revision,
            'recorded', \(PostgresStore.microseconds("\(t).record_time")), 'fired', \(PostgresStore.microseconds("\(t).fire_time")))
        """
    }

    /// Reads `tickJSON`'s object.
    static func tick(_ json: JSON) throws -> ScheduleTick {
        guard case .int(let id)? = json["id"], case .int(let nominal)? = json["nominal"], case .int(let state)? = json["state"],
            case .int(let revision)? = json["revision"], case .int(let recorded)? = json["recorded"]
        else { throw ProvenanceError(.internal, "a stored tick does not read") }
        let reason: String? = if case .string(let text)? = json["reason"] { text } else { nil }
        let run: RunID? = if case .int(let id)? = json["run"] { RunID(id) } else { nil }
        let fired: Int64? = if case .int(let time)? = json["fired"] { time } else { nil }
        let artifact: ArtifactID? = if case .int(let artifactID)? = json["artifact"] { ArtifactID(artifactID) } else { nil }
        return ScheduleTick(
            id: id, nominalTime: nominal, artifactID: artifact, state: TickState(rawValue: Int16(clamping: state)) ?? .failed, reason: reason, runID: run,
            revision: revision, recordTime: recorded, fireTime: fired)
    }

    /// The schedules `condition` selects, by name.
    static func query(_ condition: PostgresQuery) -> PostgresQuery {
        PostgresQuery(
            unsafeSQL: """
                SELECT s.id, s.spec::text, s.revision, s.paused, \(PostgresStore.microseconds("s.cursor_time")),
                    \(PostgresStore.microseconds("s.next_fire_time")), s.queued_ticks,
                    (SELECT count(*) FROM runs r WHERE r.schedule_id = s.id AND r.state IN (\(activeRunStateList))),
                    (SELECT \(tickJSON("t"))::text FROM schedule_ticks t
                     WHERE t.schedule_id = s.id AND t.state = \(TickState.fired.rawValue) ORDER BY t.nominal_time DESC, t.id DESC LIMIT 1),
                    (SELECT \(tickJSON("t"))::text FROM schedule_ticks t
                     WHERE t.schedule_id = s.id ORDER BY t.nominal_time DESC, t.id DESC LIMIT 1),
                    \(PostgresStore.microseconds("s.create_time")), \(PostgresStore.microseconds("s.update_time"))
                FROM schedules s
                WHERE 
                """ + condition.sql + " ORDER BY s.name",
            binds: condition.binds)
    }

    /// One row of `query`.
    static func schedule(_ row: PostgresRow) throws -> StoredSchedule {
        let (id, spec, revision, paused, cursor, nextFire, queued, active, lastFire, lastTick, created, updated) =
            try row.decode((ScheduleID, String, Int64, Bool, Int64, Int64?, Int32, Int64, String?, String?, Int64, Int64).self)
        return StoredSchedule(
            id: id, spec: try ScheduleSpec(json: try JSONParser.parse(spec)), revision: revision, paused: paused,
            cursor: cursor, nextFire: paused ? nil : nextFire, queuedTicks: Int(queued), activeRuns: Int(active),
            lastFire: try lastFire.map { try tick(try JSONParser.parse($0)) },
            lastTick: try lastTick.map { try tick(try JSONParser.parse($0)) }, createTime: created, updateTime: updated)
    }
}
