import PostgresNIO
import ProvenanceCore

/// What one look at a due schedule did.
public struct ScheduleLook: Sendable, Equatable {
    /// The runs it made.
    public var runs: [RunID] = []
    /// The ticks it recorded (fired, skipped, queued or failed).
    public var ticks = 0
    /// The runs it cancelled (`OverlapPolicy.cancelOldest`).
    public var cancelled: [RunID] = []
}

extension PostgresStore {
    /// Schedules with a fire due, with QUEUED ticks and room for a run, or with new artifacts to consume (and room,
    /// under `queue`), at most `limit` of each. Paused ones are left alone.
    /// `now` replaces the database's clock (a simulation's).
    public func dueSchedules(limit: Int, now: Int64? = nil) async throws(ProvenanceError) -> [ScheduleID] {
        try await perform { [self] connection in
            let rows = try await connection.query(
                """
                (SELECT id FROM schedules
                 WHERE NOT paused AND next_fire_time <= coalesce(timestamptz 'epoch' + \(now)::int8 * interval '1 microsecond', clock_timestamp())
                 ORDER BY next_fire_time LIMIT \(limit))
                UNION
                (SELECT s.id FROM schedules s WHERE s.queued_ticks > 0 AND NOT s.paused
                    AND (SELECT count(*) FROM runs r WHERE r.schedule_id = s.id AND r.state IN (\(unescaped: ScheduleRows.activeRunStateList)))
                        < (s.spec->>'max_concurrency')::int8
                 LIMIT \(limit))
                UNION
                (SELECT s.id FROM schedules s WHERE s.watch_type_id IS NOT NULL AND NOT s.paused
                    AND EXISTS (SELECT 1 FROM artifact_arrivals a
                                WHERE a.type_id = s.watch_type_id AND a.namespace_id = s.namespace_id
                                    AND (a.tx, a.id) > (s.arrival_tx, s.arrival_id) AND a.tx < pg_snapshot_xmin(pg_current_snapshot()))
                    AND (s.spec->>'overlap' <> 'queue'
                         OR (SELECT count(*) FROM runs r WHERE r.schedule_id = s.id AND r.state IN (\(unescaped: ScheduleRows.activeRunStateList)))
                            < (s.spec->>'max_concurrency')::int8)
                 LIMIT \(limit))
                """, logger: logger)
            var ids: [ScheduleID] = []
            for try await id in rows.decode(ScheduleID.self) { ids.append(id) }
            return ids
        }
    }

    /// Looks at schedule `id` if it is due and no other replica is looking at it: in one transaction, decides its
    /// fires since its cursor (`TickPlanner`), records a tick for each, makes the runs of those that fire (each in
    /// the transaction that records its tick, so a fire makes one run however many replicas look), cancels what
    /// `cancel_oldest` cancels, and moves the cursor. A fire whose run cannot be made (its pipeline was deleted, a
    /// parameter no longer fits) is a FAILED tick with the reason, never a stuck schedule. Returns nil when
    /// another replica holds the schedule or it is no longer due.
    /// `now` replaces the database's clock (a simulation's).
    public func lookAtSchedule(_ id: ScheduleID, grace: Int64, now: Int64? = nil) async throws(ProvenanceError) -> ScheduleLook? {
        try await transactionFinishingRuns { [self] connection -> (result: ScheduleLook?, runs: Set<RunID>) in
            guard let due = try await lockDueSchedule(id, now: now, on: connection) else { return (nil, []) }
            let arrivals = due.watchTypeID == nil ? ScheduleArrivals() : try await self.arrivals(for: due, on: connection)
            let planner = TickPlanner(
                spec: due.spec, created: due.created, cursor: due.cursor, now: due.now, grace: grace,
                activeRuns: try await activeRuns(of: id, on: connection),
                queuedTicks: due.queuedTicks > 0 ? try await queuedTicks(of: id, on: connection) : [],
                arrivals: arrivals.matching)
            let decisions = planner.plan()
            var look = ScheduleLook()
            var ticks = decisions.ticks
            let queued = decisions.fireQueued.map { TickKey(nominal: $0, artifact: 0) }
            // Each fire's run is read for before the writes; one that cannot be made fails its tick.
            var submissions: [TickKey: RunSubmission] = [:]
            var failures: [TickKey: String] = [:]
            for key in queued + ticks.filter({ $0.state == .fired }).map(TickKey.init) {
                do throws(ProvenanceError) {
                    submissions[key] = try await prepareScheduledRun(due, key: key)
                } catch {
                    // The schedule's own problem fails the tick; the database's fails the look, to be made again.
                    guard [.invalidArgument, .notFound, .failedPrecondition].contains(error.code) else { throw error }
                    failures[key] = "the run could not be made: \(error.message)"
                }
            }
            for index in ticks.indices {
                guard let failure = failures[TickKey(ticks[index])] else { continue }
                ticks[index].state = .failed
                ticks[index].reason = failure
            }
            let recorded = try await recordTicks(ticks, of: id, revision: due.revision, on: connection)
            look.ticks = recorded.count
            var made: [(key: TickKey, run: RunID)] = []
            for key in queued + ticks.filter({ $0.state == .fired }).map(TickKey.init) where recorded.contains(key) || queued.contains(key) {
                guard let submission = submissions[key] else { continue }
                let (run, _) = try await submission.insert(on: connection, store: self)
                made.append((key, run))
            }
            try await settleFires(made, failures: queued.compactMap { key in failures[key].map { (key, $0) } }, of: id, on: connection)
            let actor = AuditActor(name: "schedule \(due.spec.name)", source: "scheduler", address: nil)
            for run in decisions.cancelRuns {
                if try await cancel(run, namespaceID: due.namespaceID, namespace: due.namespace, actor: actor, on: connection) {
                    look.cancelled.append(run)
                }
            }
            let position = arrivals.position(afterConsuming: decisions.consumedArrivals) ?? due.arrivalCursor
            try await connection.prepared(ScheduleSQL.MoveCursor.self,
                """
                UPDATE schedules SET cursor_time = timestamptz 'epoch' + \(decisions.cursor)::int8 * interval '1 microsecond',
                    next_fire_time = timestamptz 'epoch' + \(decisions.nextFire)::int8 * interval '1 microsecond',
                    queued_ticks = (SELECT count(*) FROM schedule_ticks WHERE schedule_id = \(id) AND state = \(TickState.queued.rawValue)),
                    arrival_tx = \(position?.tx)::text::xid8, arrival_id = \(position?.id ?? 0)
                WHERE id = \(id)
                """, logger: logger)
            look.runs = made.map(\.run)
            return (look, Set(look.runs + look.cancelled))
        }
    }

    /// The schedule row of a due look, locked; nil when another replica holds it or nothing is due.
    private func lockDueSchedule(_ id: ScheduleID, now: Int64?, on connection: PostgresConnection) async throws -> DueSchedule? {
        let rows = try await connection.prepared(ScheduleSQL.LockDue.self,
            """
            WITH clock AS (SELECT coalesce(timestamptz 'epoch' + \(now)::int8 * interval '1 microsecond', clock_timestamp()) AS now)
            SELECT s.namespace_id, n.name, s.spec::text, s.revision, \(unescaped: Self.microseconds("s.cursor_time")),
                \(unescaped: Self.microseconds("s.create_time")), s.queued_ticks, \(unescaped: Self.microseconds("clock.now")),
                s.watch_type_id, s.arrival_tx::text, s.arrival_id
            FROM schedules s JOIN namespaces n ON n.id = s.namespace_id CROSS JOIN clock
            WHERE s.id = \(id) AND NOT s.paused
                AND (s.next_fire_time <= clock.now OR s.queued_ticks > 0 OR s.watch_type_id IS NOT NULL)
            FOR UPDATE OF s SKIP LOCKED
            """, logger: logger)
        for try await (namespaceID, namespace, spec, revision, cursor, created, queued, now, watch, arrivalTX, arrivalID) in rows.decode(
            (NamespaceID, String, String, Int64, Int64, Int64, Int32, Int64, TypeID?, String?, Int64).self)
        {
            return DueSchedule(
                id: id, namespaceID: namespaceID, namespace: namespace, spec: try ScheduleSpec(json: try JSONParser.parse(spec)),
                revision: revision, cursor: cursor, created: created, queuedTicks: Int(queued), now: now, watchTypeID: watch,
                arrivalCursor: arrivalTX.map { ArrivalPosition(tx: $0, id: arrivalID) })
        }
        return nil
    }

    /// The schedule's active runs, oldest first.
    private func activeRuns(of id: ScheduleID, on connection: PostgresConnection) async throws -> [RunID] {
        var runs: [RunID] = []
        for try await run in try await connection.prepared(ScheduleSQL.ActiveRuns.self,
            """
            SELECT id FROM runs WHERE schedule_id = \(id) AND state IN (\(unescaped: ScheduleRows.activeRunStateList))
            ORDER BY id
            """, logger: logger
        ).decode(RunID.self) { runs.append(run) }
        return runs
    }

    /// The nominal times of the schedule's QUEUED ticks, oldest first.
    private func queuedTicks(of id: ScheduleID, on connection: PostgresConnection) async throws -> [Int64] {
        var times: [Int64] = []
        for try await time in try await connection.prepared(ScheduleSQL.QueuedTicks.self,
            """
            SELECT \(unescaped: Self.microseconds("nominal_time")) FROM schedule_ticks
            WHERE schedule_id = \(id) AND state = \(TickState.queued.rawValue) ORDER BY nominal_time
            """, logger: logger
        ).decode(Int64.self) { times.append(time) }
        return times
    }

    /// What the run of fire `key` reads, with `scheduled_time` filled in where the pipeline takes it, and a data
    /// trigger's artifact given to its parameter.
    private func prepareScheduledRun(_ due: DueSchedule, key: TickKey) async throws(ProvenanceError) -> RunSubmission {
        let version = try await pipelineVersion(due.spec.pipeline, digest: due.spec.version, namespace: due.namespace)
        let request = due.spec.runRequest(
            nominalTime: key.nominal, pipelineParameters: version.spec.parameters.map(\.name),
            artifact: key.artifact == 0 ? nil : ArtifactID(key.artifact))
        return try await prepareRun(
            request, namespace: due.namespace, version: version, fire: ScheduledFire(schedule: due.id, nominalTime: key.nominal))
    }

    /// Records new ticks; returns the keys of those recorded (a tick already recorded is left as it is, and its
    /// fire makes no second run).
    private func recordTicks(_ ticks: [PlannedTick], of id: ScheduleID, revision: Int64, on connection: PostgresConnection)
        async throws -> Set<TickKey>
    {
        guard !ticks.isEmpty else { return [] }
        let times = ticks.map(\.nominalTime)
        let artifacts = ticks.map { $0.artifactID?.rawValue ?? 0 }
        let states = ticks.map(\.state.rawValue)
        let reasons = ticks.map { $0.reason ?? "" }
        var recorded: Set<TickKey> = []
        for try await (time, artifact) in try await connection.prepared(ScheduleSQL.RecordTicks.self,
            """
            INSERT INTO schedule_ticks (schedule_id, nominal_time, artifact_id, state, reason, revision)
            SELECT \(id), timestamptz 'epoch' + t.nominal * interval '1 microsecond', NULLIF(t.artifact, 0), t.state,
                   NULLIF(t.reason, ''), \(revision)
            FROM unnest(\(times)::int8[], \(artifacts)::int8[], \(states)::int2[], \(reasons)::text[]) AS t(nominal, artifact, state, reason)
            ON CONFLICT DO NOTHING
            RETURNING \(unescaped: Self.microseconds("nominal_time")), coalesce(artifact_id, 0)
            """, logger: logger
        ).decode((Int64, Int64).self) { recorded.insert(TickKey(nominal: time, artifact: artifact)) }
        return recorded
    }

    /// Names each fire's run on its tick (a QUEUED tick becomes FIRED), and fails the QUEUED ticks whose run could
    /// not be made.
    private func settleFires(
        _ made: [(key: TickKey, run: RunID)], failures: [(TickKey, String)], of id: ScheduleID, on connection: PostgresConnection
    ) async throws {
        if !made.isEmpty {
            let firing = (StateMachine.ticks.sources(of: .fired, on: .fire) + [.fired]).map { String($0.rawValue) }.joined(separator: ", ")
            try await connection.prepared(ScheduleSQL.SettleFires.self,
                """
                UPDATE schedule_ticks t SET state = \(TickState.fired.rawValue), run_id = u.run, fire_time = clock_timestamp(), reason = NULL
                FROM unnest(\(made.map(\.key.nominal))::int8[], \(made.map(\.key.artifact))::int8[], \(made.map(\.run))::int8[])
                    AS u(nominal, artifact, run)
                WHERE t.schedule_id = \(id) AND t.nominal_time = timestamptz 'epoch' + u.nominal * interval '1 microsecond'
                    AND coalesce(t.artifact_id, 0) = u.artifact AND t.state IN (\(unescaped: firing))
                """, logger: logger)
        }
        if !failures.isEmpty {
            let failing = StateMachine.ticks.sources(of: .failed, on: .fail).map { String($0.rawValue) }.joined(separator: ", ")
            try await connection.prepared(ScheduleSQL.FailTicks.self,
                """
                UPDATE schedule_ticks t SET state = \(TickState.failed.rawValue), reason = u.reason
                FROM unnest(\(failures.map(\.0.nominal))::int8[], \(failures.map(\.1))::text[]) AS u(nominal, reason)
                WHERE t.schedule_id = \(id) AND t.nominal_time = timestamptz 'epoch' + u.nominal * interval '1 microsecond'
                    AND t.artifact_id IS NULL AND t.state IN (\(unescaped: failing))
                """, logger: logger)
        }
    }
}

/// A tick's key: its nominal time, and its artifact for a data trigger's (0 for none).
struct TickKey: Hashable, Sendable {
    let nominal: Int64
    let artifact: Int64

    init(nominal: Int64, artifact: Int64) {
        self.nominal = nominal
        self.artifact = artifact
    }

    init(_ tick: PlannedTick) {
        self.init(nominal: tick.nominalTime, artifact: tick.artifactID?.rawValue ?? 0)
    }
}

/// A due schedule's row, read under its lock.
struct DueSchedule: Sendable {
    let id: ScheduleID
    let namespaceID: NamespaceID
    let namespace: String
    let spec: ScheduleSpec
    let revision: Int64
    let cursor: Int64
    let created: Int64
    let queuedTicks: Int
    /// The database's clock.
    let now: Int64
    /// A data trigger's type, and its cursor over the arrivals.
    let watchTypeID: TypeID?
    let arrivalCursor: ArrivalPosition?
}

/// The names of the scheduler's prepared statements (each always the same SQL).
enum ScheduleSQL {
    enum LockDue: PreparedQueryName { static let name = "schedule_lock_due" }
    enum ActiveRuns: PreparedQueryName { static let name = "schedule_active_runs" }
    enum QueuedTicks: PreparedQueryName { static let name = "schedule_queued_ticks" }
    enum RecordTicks: PreparedQueryName { static let name = "schedule_record_ticks" }
    enum SettleFires: PreparedQueryName { static let name = "schedule_settle_fires" }
    enum FailTicks: PreparedQueryName { static let name = "schedule_fail_ticks" }
    enum MoveCursor: PreparedQueryName { static let name = "schedule_move_cursor" }
}
