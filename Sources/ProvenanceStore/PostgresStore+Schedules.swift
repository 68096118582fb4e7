import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// Creates schedule `spec.name` (or, with `replace`, writes it over the one of that name: its cursor stays, so
    /// no fire it decided is decided again). The pipeline (and its pinned version) must exist and take the
    /// schedule's parameters. Writing the same spec again changes nothing. Returns the schedule and whether it was
    /// made or changed; recorded in the audit log as `actor`'s.
    public func applySchedule(_ spec: ScheduleSpec, namespace: String, replace: Bool, actor: AuditActor)
        async throws(ProvenanceError) -> (schedule: StoredSchedule, changed: Bool)
    {
        let namespaceID = try await namespaceID(namespace)
        let version = try await checkRunnable(spec, namespace: namespace, namespaceID: namespaceID)
        let specText = JSONWriter.string(spec.json)
        // A data trigger watches its type (made now if no run has made it yet, as a run would).
        var watch: TypeID?
        if let trigger = spec.artifactTrigger {
            watch = try await engineType(PipelineMetadata.artifactType(trigger.type), namespace: namespace).id
        }
        let watched = watch
        let changed = try await transaction { [self] connection in
            let now = try await Self.clock(connection, logger: logger)
            let existing = try await connection.query(
                """
                SELECT id, spec::text, \(unescaped: Self.microseconds("cursor_time")), \(unescaped: Self.microseconds("create_time"))
                FROM schedules WHERE namespace_id = \(namespaceID) AND name = \(spec.name) FOR UPDATE
                """, logger: logger)
            var found: (id: ScheduleID, spec: String, cursor: Int64, created: Int64)?
            for try await row in existing.decode((ScheduleID, String, Int64, Int64).self) { found = row }
            if let found {
                guard replace else { throw ProvenanceError(.alreadyExists, "schedule \(spec.name) already exists") }
                guard try JSONWriter.string(JSONParser.parse(found.spec)) != specText else { return false }
                let next = spec.nextFire(after: found.cursor, created: found.created)
                try await connection.query(
                    """
                    UPDATE schedules SET spec = \(specText)::jsonb, pipeline_id = \(version.pipelineID), revision = revision + 1,
                        next_fire_time = timestamptz 'epoch' + \(next)::int8 * interval '1 microsecond', update_time = now(),
                        watch_type_id = \(watched), arrival_tx = coalesce(arrival_tx, pg_snapshot_xmin(pg_current_snapshot()))
                    WHERE id = \(found.id)
                    """, logger: logger)
                try await Self.appendAudit(
                    connection, actor: actor, action: "schedule.update", namespaces: .only([namespace]),
                    target: "schedule \(spec.name)", details: spec.json, logger: logger)
                return true
            }
            let next = spec.nextFire(after: now, created: now)
            try await connection.query(
                """
                INSERT INTO schedules (namespace_id, name, pipeline_id, spec, watch_type_id, arrival_tx, cursor_time, next_fire_time,
                                       create_time, update_time)
                VALUES (\(namespaceID), \(spec.name), \(version.pipelineID), \(specText)::jsonb, \(watched),
                        pg_snapshot_xmin(pg_current_snapshot()),
                        timestamptz 'epoch' + \(now)::int8 * interval '1 microsecond',
                        timestamptz 'epoch' + \(next)::int8 * interval '1 microsecond',
                        timestamptz 'epoch' + \(now)::int8 * interval '1 microsecond',
                        timestamptz 'epoch' + \(now)::int8 * interval '1 microsecond')
                """, logger: logger)
            try await Self.appendAudit(
                connection, actor: actor, action: "schedule.create", namespaces: .only([namespace]),
                target: "schedule \(spec.name)", details: spec.json, logger: logger)
            return true
        }
        return (try await schedule(spec.name, namespace: namespace), changed)
    }

    /// Checks that a fire of `spec` could make a run now: its pipeline (version) exists and takes its parameters.
    private func checkRunnable(_ spec: ScheduleSpec, namespace: String, namespaceID: NamespaceID) async throws(ProvenanceError)
        -> StoredPipelineVersion
    {
        let version: StoredPipelineVersion
        do {
            version = try await pipelineVersion(spec.pipeline, digest: spec.version, namespace: namespace)
        } catch {
            guard error.code == .notFound else { throw error }
            throw .invalid(spec.version == nil ? "pipeline" : "version", error.message)
        }
        if let trigger = spec.artifactTrigger, !version.spec.parameters.contains(where: { $0.name == trigger.parameter }) {
            throw .invalid(
                "on_artifact.parameter",
                "pipeline \(spec.pipeline) has no parameter '\(trigger.parameter)' to give the artifact to (bind a step input to it)")
        }
        let components = try await components(Array(Set(version.spec.steps.map(\.component))), namespaceID: namespaceID)
        let request = spec.runRequest(
            nominalTime: 0, pipelineParameters: version.spec.parameters.map(\.name), artifact: spec.artifactTrigger.map { _ in ArtifactID(1) })
        _ = try RunPlan(version.spec, parameters: request.parameters, components: components.mapValues(\.spec), cache: spec.cache)
        return version
    }

    /// Pauses schedule `name`: it fires no more until resumed (QUEUED ticks wait too).
    public func pauseSchedule(_ name: String, namespace: String, actor: AuditActor) async throws(ProvenanceError) -> StoredSchedule {
        let namespaceID = try await namespaceID(namespace)
        try await transaction { [self] connection in
            let rows = try await connection.query(
                """
                UPDATE schedules SET paused = true, update_time = now()
                WHERE namespace_id = \(namespaceID) AND name = \(name) RETURNING id
                """, logger: logger)
            guard try await rows.decode(ScheduleID.self).first(where: { _ in true }) != nil else {
                throw ProvenanceError.notFound("schedule \(name) not found")
            }
            try await Self.appendAudit(
                connection, actor: actor, action: "schedule.pause", namespaces: .only([namespace]), target: "schedule \(name)",
                logger: logger)
        }
        return try await schedule(name, namespace: namespace)
    }

    /// Resumes schedule `name`. The fires of the paused window are not made unless `backfill`, which hands them to
    /// the schedule's catch-up policy as if the scheduler had been down.
    public func resumeSchedule(_ name: String, namespace: String, backfill: Bool, actor: AuditActor)
        async throws(ProvenanceError) -> StoredSchedule
    {
        let namespaceID = try await namespaceID(namespace)
        try await transaction { [self] connection in
            let now = try await Self.clock(connection, logger: logger)
            let rows = try await connection.query(
                """
                SELECT id, spec::text, paused, \(unescaped: Self.microseconds("cursor_time")), \(unescaped: Self.microseconds("create_time"))
                FROM schedules WHERE namespace_id = \(namespaceID) AND name = \(name) FOR UPDATE
                """, logger: logger)
            var found: (id: ScheduleID, spec: String, paused: Bool, cursor: Int64, created: Int64)?
            for try await row in rows.decode((ScheduleID, String, Bool, Int64, Int64).self) { found = row }
            guard let found else { throw ProvenanceError.notFound("schedule \(name) not found") }
            guard found.paused else { return }
            let spec = try ScheduleSpec(json: try JSONParser.parse(found.spec))
            let cursor = backfill ? found.cursor : max(found.cursor, now)
            let next = spec.nextFire(after: cursor, created: found.created)
            try await connection.query(
                """
                UPDATE schedules SET paused = false, update_time = now(),
                    cursor_time = timestamptz 'epoch' + \(cursor)::int8 * interval '1 microsecond',
                    next_fire_time = timestamptz 'epoch' + \(next)::int8 * interval '1 microsecond'
                WHERE id = \(found.id)
                """, logger: logger)
            try await Self.appendAudit(
                connection, actor: actor, action: "schedule.resume", namespaces: .only([namespace]), target: "schedule \(name)",
                details: ["backfill": .bool(backfill)], logger: logger)
        }
        return try await schedule(name, namespace: namespace)
    }

    /// Deletes schedule `name` and its ticks; its runs stay, naming no schedule.
    public func deleteSchedule(_ name: String, namespace: String, actor: AuditActor) async throws(ProvenanceError) {
        let namespaceID = try await namespaceID(namespace)
        try await transaction { [self] connection in
            let rows = try await connection.query(
                "DELETE FROM schedules WHERE namespace_id = \(namespaceID) AND name = \(name) RETURNING id", logger: logger)
            guard try await rows.decode(ScheduleID.self).first(where: { _ in true }) != nil else {
                throw ProvenanceError.notFound("schedule \(name) not found")
            }
            try await Self.appendAudit(
                connection, actor: actor, action: "schedule.delete", namespaces: .only([namespace]), target: "schedule \(name)",
                logger: logger)
        }
    }

    /// Schedule `name`, or `notFound`.
    public func schedule(_ name: String, namespace: String) async throws(ProvenanceError) -> StoredSchedule {
        let namespaceID = try await namespaceID(namespace)
        guard let schedule = try await scheduleRows("s.namespace_id = \(namespaceID) AND s.name = \(name)").first else {
            throw .notFound("schedule \(name) not found")
        }
        return schedule
    }

    /// The schedules of `namespace` (of one pipeline, when given), by name.
    public func listSchedules(namespace: String, pipeline: String? = nil) async throws(ProvenanceError) -> [StoredSchedule] {
        let namespaceID = try await namespaceID(namespace)
        return try await scheduleRows(
            "s.namespace_id = \(namespaceID) AND (\(pipeline)::text IS NULL OR s.spec->>'pipeline' = \(pipeline))")
    }

    /// The ticks of schedule `name`, newest first: at most `size`, before `before` (a page cursor: a nominal time
    /// and a tick id), of one state when given.
    public func scheduleTicks(_ name: String, namespace: String, state: TickState?, size: Int, before: PageCursor?)
        async throws(ProvenanceError) -> Page<ScheduleTick>
    {
        let schedule = try await schedule(name, namespace: namespace)
        let stateNumber = state.map { Int64($0.rawValue) }
        let ticks = try await perform { [self] connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: ScheduleRows.tickJSON("t"))::text FROM schedule_ticks t
                WHERE t.schedule_id = \(schedule.id) AND (\(stateNumber)::int8 IS NULL OR t.state = \(stateNumber))
                    AND (\(before?.value)::int8 IS NULL
                         OR (t.nominal_time, t.id) < (timestamptz 'epoch' + \(before?.value)::int8 * interval '1 microsecond', \(before?.id)::int8))
                ORDER BY t.nominal_time DESC, t.id DESC LIMIT \(size + 1)
                """, logger: logger)
            var ticks: [ScheduleTick] = []
            for try await text in rows.decode(String.self) { ticks.append(try ScheduleRows.tick(try JSONParser.parse(text))) }
            return ticks
        }
        guard ticks.count > size else { return Page(items: ticks, next: nil) }
        let items = Array(ticks.prefix(size))
        return Page(items: items, next: PageCursor(value: items[size - 1].nominalTime, id: items[size - 1].id))
    }

    /// The schedules `condition` selects (over `schedules s`), by name.
    private func scheduleRows(_ condition: PostgresQuery, name: String = #function) async throws(ProvenanceError) -> [StoredSchedule] {
        let query = ScheduleRows.query(condition)
        return try await perform(name: name) { [self] connection in
            var schedules: [StoredSchedule] = []
            for try await row in try await connection.query(query, logger: logger) { schedules.append(try ScheduleRows.schedule(row)) }
            return schedules
        }
    }

    /// The database's clock, in microseconds since the epoch: every replica decides fires by the same clock.
    static func clock(_ connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        var now: Int64 = 0
        for try await value in try await connection.query(
            "SELECT \(unescaped: microseconds("clock_timestamp()"))", logger: logger
        ).decode(Int64.self) { now = value }
        return now
    }
}
