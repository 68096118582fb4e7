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
    /// Schedules with a fire due, or with QUEUED ticks and room for a run, soonest first, at most `limit`. Paused
    /// ones are left alone.
    public func dueSchedules(limit: Int) async throws(ProvenanceError) -> [ScheduleID] {
        try await perform { [self] connection in
            let rows = try await connection.query(
                """
                (SELECT id FROM schedules WHERE NOT paused AND next_fire_time <= clock_timestamp()
                 ORDER BY next_fire_time LIMIT \(limit))
                UNION
                (SELECT s.id FROM schedules s WHERE s.queued_ticks > 0 AND NOT s.paused
                    AND (SELECT count(*) FROM runs r WHERE r.schedule_id = s.id AND r.state IN (\(unescaped: ScheduleRows.activeRunStateList)))
                        < (s.spec->>'max_concurrency')::int8
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
    public func lookAtSchedule(_ id: ScheduleID, grace: Int64) async throws(ProvenanceError) -> ScheduleLook? {
        try await transactionFinishingRuns { [self] connection -> (result: ScheduleLook?, runs: Set<RunID>) in
            guard let due = try await lockDueSchedule(id, on: connection) else { return (nil, []) }
            let planner = TickPlanner(
                spec: due.spec, created: due.created, cursor: due.cursor, now: due.now, grace: grace,
                activeRuns: try await activeRuns(of: id, on: connection),
                queuedTicks: due.queuedTicks > 0 ? try await queuedTicks(of: id, on: connection) : [])
            let decisions = planner.plan()
            var look = ScheduleLook()
            var ticks = decisions.ticks
            // Each fire's run is read for before the writes; one that cannot be made fails its tick.
            var submissions: [Int64: RunSubmission] = [:]
            var failures: [Int64: String] = [:]
            for nominal in decisions.fireQueued + ticks.filter({ $0.state == .fired }).map(\.nominalTime) {
                do throws(ProvenanceError) {
                    submissions[nominal] = try await prepareScheduledRun(due, nominalTime: nominal)
                } catch {
                    // The schedule's own problem fails the tick; the database's fails the look, to be made again.
                    guard [.invalidArgument, .notFound, .failedPrecondition].contains(error.code) else { throw error }
                    failures[nominal] = "the run could not be made: \(error.message)"
                }
            }
            for index in ticks.indices where failures[ticks[index].nominalTime] != nil {
                ticks[index].state = .failed
                ticks[index].reason = failures[ticks[index].nominalTime]
            }
            let recorded = try await recordTicks(ticks, of: id, revision: due.revision, on: connection)
            look.ticks = recorded.count
            var made: [(nominal: Int64, run: RunID)] = []
            for nominal in decisions.fireQueued + ticks.filter({ $0.state == .fired && recorded.contains($0.nominalTime) }).map(\.nominalTime) {
                guard let submission = submissions[nominal] else { continue }
                let (run, _) = try await submission.insert(on: connection, store: self)
                made.append((nominal, run))
            }
            try await settleFires(made, failures: decisions.fireQueued.compactMap { nominal in failures[nominal].map { (nominal, $0) } },
                                  of: id, on: connection)
            let actor = AuditActor(name: "schedule \(due.spec.name)", source: "scheduler", address: nil)
            for run in decisions.cancelRuns {
                if try await cancel(run, namespaceID: due.namespaceID, namespace: due.namespace, actor: actor, on: connection) {
                    look.cancelled.append(run)
                }
            }
            try await connection.prepared(ScheduleSQL.MoveCursor.self,
                """
                UPDATE schedules SET cursor_time = timestamptz 'epoch' + \(decisions.cursor)::int8 * interval '1 microsecond',
                    next_fire_time = timestamptz 'epoch' + \(decisions.nextFire)::int8 * interval '1 microsecond',
                    queued_ticks = (SELECT count(*) FROM schedule_ticks WHERE schedule_id = \(id) AND state = \(TickState.queued.rawValue))
                WHERE id = \(id)
                """, logger: logger)
            look.runs = made.map(\.run)
            return (look, Set(look.runs + look.cancelled))
        }
    }

    /// The schedule row of a due look, locked; nil when another replica holds it or nothing is due.
    private func lockDueSchedule(_ id: ScheduleID, on connection: PostgresConnection) async throws -> DueSchedule? {
        let rows = try await connection.prepared(ScheduleSQL.LockDue.self,
            """
            SELECT s.namespace_id, n.name, s.spec::text, s.revision, \(unescaped: Self.microseconds("s.cursor_time")),
                \(unescaped: Self.microseconds("s.create_time")), s.queued_ticks, \(unescaped: Self.microseconds("clock_timestamp()"))
            FROM schedules s JOIN namespaces n ON n.id = s.namespace_id
            WHERE s.id = \(id) AND NOT s.paused AND (s.next_fire_time <= clock_timestamp() OR s.queued_ticks > 0)
            FOR UPDATE OF s SKIP LOCKED
            """, logger: logger)
        for try await (namespaceID, namespace, spec, revision, cursor, created, queued, now) in rows.decode(
            (NamespaceID, String, String, Int64, Int64, Int64, Int32, Int64).self)
        {
            return DueSchedule(
                id: id, namespaceID: namespaceID, namespace: namespace, spec: try ScheduleSpec(json: try JSONParser.parse(spec)),
                revision: revision, cursor: cursor, created: created, queuedTicks: Int(queued), now: now)
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

    /// What the run of the fire at `nominalTime` reads, with `scheduled_time` filled in where the pipeline takes it.
    private func prepareScheduledRun(_ due: DueSchedule, nominalTime: Int64) async throws(ProvenanceError) -> RunSubmission {
        let version = try await pipelineVersion(due.spec.pipeline, digest: due.spec.version, namespace: due.namespace)
        let request = due.spec.runRequest(nominalTime: nominalTime, pipelineParameters: version.spec.parameters.map(\.name))
        return try await prepareRun(
            request, namespace: due.namespace, version: version, fire: ScheduledFire(schedule: due.id, nominalTime: nominalTime))
    }

    /// Records new ticks; returns the nominal times of those recorded (a tick already recorded is left as it is,
    /// and its fire makes no second run).
    private func recordTicks(_ ticks: [PlannedTick], of id: ScheduleID, revision: Int64, on connection: PostgresConnection)
        async throws -> Set<Int64>
    {
        guard !ticks.isEmpty else { return [] }
        let times = ticks.map(\.nominalTime)
        let states = ticks.map(\.state.rawValue)
        let reasons = ticks.map { $0.reason ?? "" }
        var recorded: Set<Int64> = []
        for try await time in try await connection.prepared(ScheduleSQL.RecordTicks.self,
            """
            INSERT INTO schedule_ticks (schedule_id, nominal_time, state, reason, revision)
            SELECT \(id), timestamptz 'epoch' + t.nominal * interval '1 microsecond', t.state, NULLIF(t.reason, ''), \(revision)
            FROM unnest(\(times)::int8[], \(states)::int2[], \(reasons)::text[]) AS t(nominal, state, reason)
            ON CONFLICT (schedule_id, nominal_time) DO NOTHING
            RETURNING \(unescaped: Self.microseconds("nominal_time"))
            """, logger: logger
        ).decode(Int64.self) { recorded.insert(time) }
        return recorded
    }

    /// Names each fire's run on its tick (a QUEUED tick becomes FIRED), and fails the QUEUED ticks whose run could
    /// not be made.
    private func settleFires(
        _ made: [(nominal: Int64, run: RunID)], failures: [(Int64, String)], of id: ScheduleID, on connection: PostgresConnection
    ) async throws {
        if !made.isEmpty {
            let firing = (StateMachine.ticks.sources(of: .fired, on: .fire) + [.fired]).map { String($0.rawValue) }.joined(separator: ", ")
            try await connection.prepared(ScheduleSQL.SettleFires.self,
                """
                UPDATE schedule_ticks t SET state = \(TickState.fired.rawValue), run_id = u.run, fire_time = clock_timestamp(), reason = NULL
                FROM unnest(\(made.map(\.nominal))::int8[], \(made.map(\.run))::int8[]) AS u(nominal, run)
                WHERE t.schedule_id = \(id) AND t.nominal_time = timestamptz 'epoch' + u.nominal * interval '1 microsecond'
                    AND t.state IN (\(unescaped: firing))
                """, logger: logger)
        }
        if !failures.isEmpty {
            let failing = StateMachine.ticks.sources(of: .failed, on: .fail).map { String($0.rawValue) }.joined(separator: ", ")
            try await connection.prepared(ScheduleSQL.FailTicks.self,
                """
                UPDATE schedule_ticks t SET state = \(TickState.failed.rawValue), reason = u.reason
                FROM unnest(\(failures.map(\.0))::int8[], \(failures.map(\.1))::text[]) AS u(nominal, reason)
                WHERE t.schedule_id = \(id) AND t.nominal_time = timestamptz 'epoch' + u.nominal * interval '1 microsecond'
                    AND t.state IN (\(unescaped: failing))
                """, logger: logger)
        }
    }
}

/// A due schedule's row, read under its lock.
private struct DueSchedule: Sendable {
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
