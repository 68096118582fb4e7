import PostgresNIO
import ProvenanceCore

extension PostgresStore {
    /// The fleet view of `pipeline`: for each value of the run label `label` (`customer`) its runs carry, the
    /// latest run, the latest success, the soonest next fire of the pipeline's schedules for it (and their
    /// period), and whether a task of its latest run could never start; statuses decided at the database's clock.
    /// Entries that stand out (blocked, failing, stale) come first.
    public func fleet(pipeline: String, label: String, staleAfter: Int64, namespace: String) async throws(ProvenanceError)
        -> [FleetEntry]
    {
        try PipelineNames.checkIdentifier(label, field: "label")
        let version = try await pipelineVersion(pipeline, digest: nil, namespace: namespace)
        // The label is written into the statement (an identifier: letters, digits and '_'), so `customer` matches
        // the (pipeline, customer, id) index's expression.
        let key = "r.labels ->> '\(label)'"
        let (rows, now) = try await perform { [self] connection in
            var rows: [(key: String, latest: FleetRun, success: FleetRun?)] = []
            // A skip scan over (pipeline, label value, id): one probe per value for its latest run and success.
            let result = try await connection.query(
                """
                WITH RECURSIVE keys AS (
                    (SELECT \(unescaped: key) AS key FROM runs r
                     WHERE r.pipeline_id = \(version.pipelineID) AND \(unescaped: key) IS NOT NULL
                     ORDER BY \(unescaped: key) LIMIT 1)
                    UNION ALL
                    SELECT (SELECT \(unescaped: key) FROM runs r
                            WHERE r.pipeline_id = \(version.pipelineID) AND \(unescaped: key) > keys.key
                            ORDER BY \(unescaped: key) LIMIT 1)
                    FROM keys WHERE keys.key IS NOT NULL
                )
                SELECT k.key, l.id, l.state, \(unescaped: Self.microseconds("l.create_time")), \(unescaped: Self.microseconds("l.end_time")),
                       s.id, s.state, \(unescaped: Self.microseconds("s.create_time")), \(unescaped: Self.microseconds("s.end_time"))
                FROM keys k
                CROSS JOIN LATERAL (SELECT r.id, r.state, r.create_time, r.end_time FROM runs r
                                    WHERE r.pipeline_id = \(version.pipelineID) AND \(unescaped: key) = k.key
                                    ORDER BY r.id DESC LIMIT 1) l
                LEFT JOIN LATERAL (SELECT r.id, r.state, r.create_time, r.end_time FROM runs r
                                   WHERE r.pipeline_id = \(version.pipelineID) AND \(unescaped: key) = k.key
                                       AND r.state = \(RunState.succeeded.rawValue)
                                   ORDER BY r.id DESC LIMIT 1) s ON true
                WHERE k.key IS NOT NULL
                """, logger: logger)
            for try await (key, id, state, created, ended, successID, successState, successCreated, successEnded) in result.decode(
                (String, RunID, Int16, Int64, Int64?, RunID?, Int16?, Int64?, Int64?).self)
            {
                let latest = FleetRun(id: id, state: RunState(rawValue: state) ?? .failed, createTime: created, endTime: ended)
                let success = successID.map { id in
                    FleetRun(id: id, state: RunState(rawValue: successState ?? 0) ?? .succeeded, createTime: successCreated ?? 0, endTime: successEnded)
                }
                rows.append((key, latest, success))
            }
            return (rows, try await Self.clock(connection, logger: logger))
        }
        var entries: [String: FleetEntry] = [:]
        for row in rows {
            var entry = FleetEntry(key: row.key)
            entry.latestRun = row.latest
            entry.lastSuccess = row.success
            entries[row.key] = entry
        }
        for schedule in try await fleetSchedules(pipelineID: version.pipelineID, label: label) {
            var entry = entries[schedule.key] ?? FleetEntry(key: schedule.key)
            if entry.nextFire == nil || schedule.next < entry.nextFire!.time {
                entry.nextFire = (schedule.name, schedule.next)
                entry.period = schedule.lastFire.map { schedule.next - $0 }
            }
            entries[schedule.key] = entry
        }
        let reasons = try await blockedReasons(Array(entries.values.compactMap { $0.latestRun.flatMap { $0.state.isFinal ? nil : $0.id } }))
        var result: [FleetEntry] = []
        for var entry in entries.values {
            entry.blockedReason = entry.latestRun.flatMap { reasons[$0.id] }
            entry.decide(now: now, staleAfter: staleAfter)
            result.append(entry)
        }
        let order = FleetStatus.allCases
        return result.sorted { (order.firstIndex(of: $0.status)!, $0.key) < (order.firstIndex(of: $1.status)!, $1.key) }
    }

    /// The active schedules of a pipeline whose runs carry `label`: its value, the next fire and the last fire.
    private func fleetSchedules(pipelineID: PipelineID, label: String) async throws(ProvenanceError)
        -> [(key: String, name: String, next: Int64, lastFire: Int64?)]
    {
        try await perform { [self] connection in
            var schedules: [(key: String, name: String, next: Int64, lastFire: Int64?)] = []
            for try await (key, name, next, last) in try await connection.query(
                """
                SELECT s.spec -> 'labels' ->> \(label), s.name, \(unescaped: Self.microseconds("s.next_fire_time")),
                    (SELECT \(unescaped: Self.microseconds("max(t.nominal_time)")) FROM schedule_ticks t
                     WHERE t.schedule_id = s.id AND t.state = \(TickState.fired.rawValue))
                FROM schedules s
                WHERE s.pipeline_id = \(pipelineID) AND NOT s.paused AND s.next_fire_time IS NOT NULL
                    AND s.spec -> 'labels' ->> \(label) IS NOT NULL
                """, logger: logger
            ).decode((String, String, Int64, Int64?).self) { schedules.append((key, name, next, last)) }
            return schedules
        }
    }

    /// For each of `runs`, why one of its queued tasks can never start (no attached executor has its labels or
    /// capacity), if so.
    private func blockedReasons(_ runs: [RunID]) async throws(ProvenanceError) -> [RunID: String] {
        guard !runs.isEmpty else { return [:] }
        let seconds = Self.seconds(options.executorLiveness)
        return try await perform { [self] connection in
            var needs: [(run: RunID, request: ResourceRequest, labels: [String: String])] = []
            for try await (run, cpu, memory, gpu, labels) in try await connection.query(
                """
                SELECT run_id, cpu, memory_mb, gpu, executor_labels::text FROM tasks
                WHERE run_id = ANY(\(runs)) AND state = \(TaskState.queued.rawValue)
                """, logger: logger
            ).decode((RunID, Double, Int32, Int32, String).self) {
                needs.append((run, ResourceRequest(cpu: cpu, memoryMB: Int(memory), gpu: Int(gpu)), try Self.labels(labels)))
            }
            guard !needs.isEmpty else { return [:] }
            var executors: [ExecutorInfo] = []
            for try await row in try await connection.query(
                "SELECT \(unescaped: Self.executorColumns) FROM executors WHERE last_seen > now() - \(seconds)::float8 * interval '1 second'",
                logger: logger
            ) { executors.append(try Self.decodeExecutor(row)) }
            var reasons: [RunID: String] = [:]
            for need in needs {
                let reason = Self.queueReason(need.request, labels: need.labels, executors: executors)
                if reason.hasPrefix("no ") { reasons[need.run] = reason }
            }
            return reasons
        }
    }
}
